import { Encoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import {
  decodeEmbeddingMessage,
  type EmbeddingMessage,
  encodeEmbeddingMessage,
  leadMaskBits,
} from './embedding-message.js';
import { WireError } from './errors.js';

const message: EmbeddingMessage = {
  v: 1,
  deviceId: 'dev-01',
  seq: 42,
  t0: 1_764_000_000_000,
  release: 'r20261125T0718-demo-da22',
  leadMask: leadMaskBits([1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]),
  quality: 0.93,
  patientId: 'p-7',
  h: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 0.5),
};

function rejectionOf(bytes: Uint8Array, dimension?: number): WireError {
  try {
    decodeEmbeddingMessage(bytes, dimension !== undefined ? { dimension } : {});
  } catch (error) {
    if (error instanceof WireError) return error;
    throw error;
  }
  throw new Error('expected a WireError');
}

const raw = new Encoder({ useRecords: false, mapsAsObjects: true });

describe('embedding messages', () => {
  it('round-trips every field exactly with float32 h', () => {
    const back = decodeEmbeddingMessage(encodeEmbeddingMessage(message), { dimension: 64 });
    expect(back).toEqual(message);
    expect(message.leadMask).toBe(0b1111_1011_1111);
  });

  it('halves the embedding bytes with float16 and keeps values within float16 precision', () => {
    const f32 = encodeEmbeddingMessage(message, 'f32');
    const f16 = encodeEmbeddingMessage(message, 'f16');
    // 128 fewer value bytes; the byte-string length header may differ by one byte.
    expect(Math.abs(f32.byteLength - f16.byteLength - 64 * 2)).toBeLessThanOrEqual(1);
    // 500 Hz × 12 leads × 10 s × 2 bytes of raw signal vs one message.
    expect(120_000 / f16.byteLength).toBeGreaterThan(200);
    const back = decodeEmbeddingMessage(f16);
    const worst = Math.max(...Array.from(back.h, (v, i) => Math.abs(v - message.h[i]!)));
    expect(worst).toBeLessThan(1e-3);
  });

  it('rejects garbage bytes, a non-map, another version, an oversized payload', () => {
    expect(rejectionOf(new Uint8Array([0xff, 0x00, 0x13])).reason).toBe('malformed');
    expect(rejectionOf(raw.encode([1, 2, 3])).reason).toBe('malformed');
    expect(rejectionOf(raw.encode({ ...message, h: undefined, v: 2 })).reason).toBe('version');
    expect(rejectionOf(new Uint8Array(9000)).reason).toBe('too-large');
  });

  it('lists every bad field: wrong types, a NaN vector, a topic-unsafe device id, a negative seq', () => {
    const bad = encodeEmbeddingMessage({
      ...message,
      deviceId: 'dev/+/#',
      seq: -1,
      quality: 3,
      leadMask: 0x1000,
      h: new Float32Array([1, Number.NaN]),
    });
    const error = rejectionOf(bad);
    expect(error.reason).toBe('invalid');
    expect(error.problems.join('\n')).toMatch(/deviceId/);
    expect(error.problems.join('\n')).toMatch(/seq/);
    expect(error.problems.join('\n')).toMatch(/quality/);
    expect(error.problems.join('\n')).toMatch(/leadMask/);
    expect(error.problems.join('\n')).toMatch(/NaN/);
  });

  it('refuses a t0 no clock gives and the database cannot store (5e-324 ms underflowed its INSERT)', () => {
    for (const t0 of [5e-324, 1e-9, -1, 4_102_444_800_001]) {
      expect(rejectionOf(encodeEmbeddingMessage({ ...message, t0 })).message).toMatch(/t0/);
    }
    for (const t0 of [0, 0.001, 1_764_000_000_000.5]) {
      expect(decodeEmbeddingMessage(encodeEmbeddingMessage({ ...message, t0 })).t0).toBe(t0);
    }
  });

  it('rejects a vector of the wrong dimension for the release (32 instead of 64)', () => {
    const error = rejectionOf(encodeEmbeddingMessage({ ...message, h: new Float32Array(32) }), 64);
    expect(error.problems).toEqual(['h has 32 values; the release expects 64']);
  });

  it('rejects SQL-looking strings where ids go (they never reach the database)', () => {
    const error = rejectionOf(
      encodeEmbeddingMessage({ ...message, release: "r1'; DROP TABLE embeddings;--" }),
    );
    expect(error.problems.join()).toMatch(/release/);
  });
});
