import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkSelfTest,
  createSelfTestInput,
  type DeviceManifest,
  decodeFloat32Base64,
  encodeFloat32Base64,
  signDeviceManifest,
  type UnsignedDeviceManifest,
  verifyDeviceManifest,
} from './device-manifest.js';

// A stand-in signature scheme (SHA-256 of the bytes) that exercises the callback plumbing; real Ed25519
// signing is tested with node:crypto in packages/trainer.
const digest = async (bytes: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()));
const sign = digest;
const verify = async (bytes: Uint8Array, sig: Uint8Array) =>
  Buffer.from(await digest(bytes)).equals(Buffer.from(sig));

const unsigned: UnsignedDeviceManifest = {
  format: 'heartline-device-manifest',
  formatVersion: 1,
  release: 'r1',
  channel: 'canary',
  onnx: { sha256: 'ab'.repeat(32), bytes: 1234, precision: 'float32' },
  input: { leads: 12, samples: 1000, sampleRate: 100, ecgDim: 2, preprocessing: { band: [0.5, 40] } },
  selfTest: {
    input: encodeFloat32Base64(new Float32Array([1, 2])),
    leadMask: [1],
    expected: [0.6, 0.8],
    maxAbsDiff: 1e-4,
    minCosine: 0.9999,
  },
  created: '2026-11-25T00:00:00.000Z',
};

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined fields and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'x' }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":"x","z":0}]},"b":1}',
    );
  });

  it('throws when a value is NaN (not representable in JSON)', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/finite/);
  });
});

describe('float32 base64', () => {
  it('encodes [1] as the bytes 00 00 80 3f ("AACAPw==") and round-trips 48 000 values', () => {
    expect(encodeFloat32Base64(new Float32Array([1]))).toBe('AACAPw==');
    const { window } = createSelfTestInput();
    expect(decodeFloat32Base64(encodeFloat32Base64(window))).toEqual(window);
  });
});

describe('createSelfTestInput', () => {
  it('is deterministic, 12 × 1000 values of roughly unit scale, with lead 4 masked', () => {
    const a = createSelfTestInput();
    expect(a.window).toEqual(createSelfTestInput().window);
    expect(a.window.length).toBe(12_000);
    expect(Array.from(a.leadMask)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    const rms = Math.sqrt(a.window.reduce((s, v) => s + v * v, 0) / a.window.length);
    expect(rms).toBeGreaterThan(0.3);
    expect(rms).toBeLessThan(2);
  });
});

describe('checkSelfTest', () => {
  it('accepts [0.6, 0.8] + 5e-5 and refuses [0.8, 0.6] (cosine 0.96) and [0.6, 0.8002] (diff 2e-4)', () => {
    expect(checkSelfTest(unsigned.selfTest, new Float32Array([0.60005, 0.80005])).ok).toBe(true);
    const swapped = checkSelfTest(unsigned.selfTest, new Float32Array([0.8, 0.6]));
    expect(swapped.ok).toBe(false);
    expect(swapped.cosine).toBeCloseTo(0.96, 6);
    const off = checkSelfTest(unsigned.selfTest, new Float32Array([0.6, 0.8002]));
    expect(off.ok).toBe(false);
    expect(off.reason).toMatch(/max abs diff/);
  });

  it('refuses an output of 3 values when 2 are expected', () => {
    expect(checkSelfTest(unsigned.selfTest, new Float32Array(3)).reason).toMatch(/3 values, expected 2/);
  });
});

describe('signDeviceManifest / verifyDeviceManifest', () => {
  it('verifies its own signature and survives a JSON round trip with reordered keys', async () => {
    const signed = await signDeviceManifest(unsigned, sign, 'k1');
    expect(signed.signature.keyId).toBe('k1');
    expect(await verifyDeviceManifest(signed, verify)).toBe(true);
    const reordered = JSON.parse(
      JSON.stringify({ signature: signed.signature, ...unsigned }),
    ) as DeviceManifest;
    expect(await verifyDeviceManifest(reordered, verify)).toBe(true);
  });

  it('refuses a manifest whose onnx.sha256 was changed after signing', async () => {
    const signed = await signDeviceManifest(unsigned, sign);
    const tampered = { ...signed, onnx: { ...signed.onnx, sha256: 'cd'.repeat(32) } };
    expect(await verifyDeviceManifest(tampered, verify)).toBe(false);
  });

  it('refuses a signature value that is not base64 ("%%%")', async () => {
    const signed = await signDeviceManifest(unsigned, sign);
    expect(
      await verifyDeviceManifest({ ...signed, signature: { alg: 'Ed25519', value: '%%%' } }, verify),
    ).toBe(false);
  });
});
