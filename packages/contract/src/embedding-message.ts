import { Encoder, Tag } from 'cbor-x';
import { WireError } from './errors.js';
import { fromFloat16Bits, toFloat16Bits } from './float16.js';
import { firstUnstorableFloat32, isStorableFloat32, isStorableT0, MAX_SEQ, STORABLE_ID } from './storable.js';

/** Version of the embedding message schema this code writes and reads. */
export const EMBEDDING_MESSAGE_VERSION = 1;

/** Largest embedding message accepted, in bytes (a 128-d float32 message is ~600 B). */
export const MAX_EMBEDDING_MESSAGE_BYTES = 8192;

/** RFC 8746 typed-array tags: little-endian float16 and float32. */
const TAG_F16_LE = 84;
const TAG_F32_LE = 85;

/** One 10 s window's ECG-specific embedding as a device publishes it (DESIGN.md, "The wire"). */
export interface EmbeddingMessage {
  readonly v: 1;
  readonly deviceId: string;
  /** Monotonic per device, survives restarts; the cloud stores by (deviceId, seq). */
  readonly seq: number;
  /** Window start, ms since the epoch. */
  readonly t0: number;
  /** Release id of the encoder that produced `h`. */
  readonly release: string;
  /** Usable leads as a 12-bit mask, bit i = canonical lead i (I, II, III, aVR, aVL, aVF, V1–V6). */
  readonly leadMask: number;
  /** Signal quality 0–1. */
  readonly quality: number;
  readonly patientId?: string;
  readonly studyId?: string;
  /** h_ecg. */
  readonly h: Float32Array;
}

/** How `h` travels: float32 (exact) or float16 (half the bytes). */
export type EmbeddingPrecision = 'f32' | 'f16';

const encoder = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });

/** Encodes an embedding message as CBOR with `h` as an RFC 8746 tagged typed array. */
export function encodeEmbeddingMessage(
  message: EmbeddingMessage,
  precision: EmbeddingPrecision = 'f32',
): Uint8Array {
  let h: Tag;
  if (precision === 'f16') {
    const bits = new Uint16Array(message.h.length);
    for (let i = 0; i < bits.length; i++) bits[i] = toFloat16Bits(message.h[i]!);
    h = new Tag(new Uint8Array(bits.buffer), TAG_F16_LE);
  } else {
    h = new Tag(
      new Uint8Array(message.h.buffer, message.h.byteOffset, message.h.byteLength).slice(),
      TAG_F32_LE,
    );
  }
  const { patientId, studyId, ...rest } = message;
  return encoder.encode({
    ...rest,
    ...(patientId !== undefined ? { patientId } : {}),
    ...(studyId !== undefined ? { studyId } : {}),
    h,
  });
}

function decodeH(value: unknown, problems: string[]): Float32Array | undefined {
  if (value instanceof Float32Array) return value;
  if (value instanceof Tag && value.value instanceof Uint8Array) {
    const bytes = value.value;
    if (value.tag === TAG_F32_LE && bytes.byteLength % 4 === 0)
      return new Float32Array(new Uint8Array(bytes).buffer);
    if (value.tag === TAG_F16_LE && bytes.byteLength % 2 === 0) {
      const bits = new Uint16Array(new Uint8Array(bytes).buffer);
      return Float32Array.from(bits, fromFloat16Bits);
    }
  }
  problems.push('h must be a float32 or float16 little-endian typed array (RFC 8746 tag 85 or 84)');
  return undefined;
}

/**
 * Decodes and validates one embedding message. Every problem found is listed in the thrown
 * {@link WireError} (size, CBOR, version, field types and ranges, non-finite values, dimension), so the
 * ingest can count rejections by reason without ever crashing on a payload.
 */
export function decodeEmbeddingMessage(
  bytes: Uint8Array,
  options: { dimension?: number } = {},
): EmbeddingMessage {
  if (bytes.byteLength > MAX_EMBEDDING_MESSAGE_BYTES) {
    throw new WireError('too-large', [`${bytes.byteLength} bytes exceeds ${MAX_EMBEDDING_MESSAGE_BYTES}`]);
  }
  let raw: unknown;
  try {
    raw = encoder.decode(bytes);
  } catch (cause) {
    throw new WireError('malformed', ['not valid CBOR'], { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw new WireError('malformed', ['the message must be a CBOR map']);
  }
  const m = raw as Record<string, unknown>;
  if (m['v'] !== EMBEDDING_MESSAGE_VERSION) {
    throw new WireError('version', [
      `v = ${JSON.stringify(m['v'])}; this cloud reads version ${EMBEDDING_MESSAGE_VERSION}`,
    ]);
  }
  const problems: string[] = [];
  const str = (key: string, optional = false) => {
    const value = m[key];
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string' || !STORABLE_ID.test(value)) {
      problems.push(`${key} must be 1–64 characters of [A-Za-z0-9._-]`);
      return undefined;
    }
    return value;
  };
  const deviceId = str('deviceId');
  const release = str('release');
  const patientId = str('patientId', true);
  const studyId = str('studyId', true);
  const seq = m['seq'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || seq > MAX_SEQ)
    problems.push('seq must be an integer ≥ 0');
  const t0 = m['t0'];
  if (typeof t0 !== 'number' || !isStorableT0(t0))
    problems.push('t0 must be ms since the epoch (0, or 1 µs to the year 2100)');
  const leadMask = m['leadMask'];
  if (typeof leadMask !== 'number' || !Number.isInteger(leadMask) || leadMask < 0 || leadMask > 0xfff) {
    problems.push('leadMask must be a 12-bit integer');
  }
  const quality = m['quality'];
  if (typeof quality !== 'number' || !(quality >= 0 && quality <= 1) || !isStorableFloat32(quality))
    problems.push('quality must be in [0, 1], a float32 that is zero or normal (no subnormal)');
  const h = decodeH(m['h'], problems);
  if (h) {
    if (h.length === 0) problems.push('h is empty');
    if (options.dimension !== undefined && h.length !== options.dimension) {
      problems.push(`h has ${h.length} values; the release expects ${options.dimension}`);
    }
    const bad = firstUnstorableFloat32(h);
    if (bad >= 0) {
      problems.push(
        Number.isFinite(h[bad]!)
          ? `h[${bad}] = ${h[bad]} is subnormal; values must be zero or normal float32`
          : 'h holds NaN or infinite values',
      );
    }
  }
  if (problems.length) throw new WireError('invalid', problems);
  return {
    v: 1,
    deviceId: deviceId!,
    seq: seq as number,
    t0: t0 as number,
    release: release!,
    leadMask: leadMask as number,
    quality: quality as number,
    ...(patientId !== undefined ? { patientId } : {}),
    ...(studyId !== undefined ? { studyId } : {}),
    h: h!,
  };
}

/** The 12-bit lead mask of a per-lead 0/1 array. */
export function leadMaskBits(mask: ArrayLike<number>): number {
  let bits = 0;
  for (let i = 0; i < Math.min(12, mask.length); i++) if (mask[i]) bits |= 1 << i;
  return bits;
}
