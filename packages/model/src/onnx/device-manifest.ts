/**
 * The signed release manifest a device receives (DESIGN "Model rollout"): which ONNX file to fetch (size
 * and sha256), what input it takes, a self-test window with its expected output, and an Ed25519 signature
 * over the canonical JSON of everything else. Signing and verification take callbacks, so this file
 * does no crypto I/O and runs unchanged in Node and the browser.
 */

import { Rng } from '@heartline/ecg';
import { InvalidArgumentError, SelfTestError } from '../errors.js';
import type { EncoderRuntime } from '../runtime/encoder-runtime.js';
import type { WeightPrecision } from './graph-builder.js';

/** A self-test: one window (and lead mask) with the h_ecg the release must produce from it. */
export interface SelfTest {
  /** The window [1 × leads × samples] as base64 little-endian float32. */
  readonly input: string;
  /** Lead mask [leads] (1 = usable). */
  readonly leadMask: readonly number[];
  /** Expected h_ecg (computed by the reference TF.js model), rounded to 1e-6. */
  readonly expected: readonly number[];
  /** Largest accepted |actual − expected| per value; absent = only the cosine is checked. */
  readonly maxAbsDiff?: number;
  /** Smallest accepted cosine between actual and expected. */
  readonly minCosine: number;
}

/** Everything a manifest holds except the signature. */
export interface UnsignedDeviceManifest {
  readonly format: 'heartline-device-manifest';
  readonly formatVersion: 1;
  /** The release id. */
  readonly release: string;
  /** The rollout channel (e.g. 'canary', 'stable'), when assigned. */
  readonly channel?: string;
  readonly onnx: {
    readonly url?: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly precision: WeightPrecision;
  };
  /** The input contract: shape, rate and the preprocessing every window must go through. */
  readonly input: {
    readonly leads: number;
    readonly samples: number;
    readonly sampleRate: number;
    readonly ecgDim: number;
    readonly preprocessing: unknown;
  };
  readonly selfTest: SelfTest;
  /** ISO 8601 creation time. */
  readonly created: string;
}

/** A manifest with its Ed25519 signature (base64) over `canonicalJson(unsigned part)`. */
export interface DeviceManifest extends UnsignedDeviceManifest {
  readonly signature: { readonly alg: 'Ed25519'; readonly keyId?: string; readonly value: string };
}

/** What `createSelfTestInput` returns. */
export interface DeviceManifestInput {
  readonly window: Float32Array;
  readonly leadMask: Uint8Array;
}

/** JSON with object keys sorted and no whitespace: the bytes that are signed. `undefined` fields are left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InvalidArgumentError('canonicalJson value', value, 'must be a finite number');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Float32 values as base64 of their little-endian bytes. */
export function encodeFloat32Base64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The inverse of `encodeFloat32Base64`; throws InvalidArgumentError on a length that is not 4·n. */
export function decodeFloat32Base64(text: string): Float32Array {
  const binary = atob(text);
  if (binary.length % 4 !== 0) {
    throw new InvalidArgumentError('base64 float32 length', binary.length, 'must be a multiple of 4 bytes');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/**
 * A deterministic self-test window: per lead a sum of a few seeded sinusoids plus noise, zero-mean and
 * roughly unit variance like a preprocessed window; lead 4 (aVL) is masked so the mask path is exercised.
 */
export function createSelfTestInput(
  leads = 12,
  samples = 1000,
  seed = 'heartline-self-test',
): DeviceManifestInput {
  const rng = new Rng(seed);
  const window = new Float32Array(leads * samples);
  for (let l = 0; l < leads; l++) {
    const freqs = [1 + rng.uniform() * 0.5, 5 + rng.uniform() * 10, 15 + rng.uniform() * 10];
    const phases = freqs.map(() => rng.uniform() * 2 * Math.PI);
    for (let t = 0; t < samples; t++) {
      let v = 0;
      for (let k = 0; k < freqs.length; k++)
        v += Math.sin((2 * Math.PI * (freqs[k] as number) * t) / 100 + (phases[k] as number)) / (k + 1);
      window[l * samples + t] = v + rng.normal(0, 0.1);
    }
  }
  const leadMask = new Uint8Array(leads).fill(1);
  if (leads > 4) leadMask[4] = 0;
  return { window, leadMask };
}

/** Compares a session's output with a self-test's expectation. */
export function checkSelfTest(
  selfTest: SelfTest,
  actual: Float32Array,
): { ok: boolean; maxAbsDiff: number; cosine: number; reason?: string } {
  const expected = selfTest.expected;
  if (actual.length !== expected.length) {
    return {
      ok: false,
      maxAbsDiff: Number.NaN,
      cosine: Number.NaN,
      reason: `output has ${actual.length} values, expected ${expected.length}`,
    };
  }
  let maxAbsDiff = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const b = expected[i] as number;
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - b));
    dot += a * b;
    na += a * a;
    nb += b * b;
  }
  const cosine = dot / Math.sqrt(na * nb || 1);
  if (!(cosine >= selfTest.minCosine)) {
    return { ok: false, maxAbsDiff, cosine, reason: `cosine ${cosine.toFixed(6)} < ${selfTest.minCosine}` };
  }
  if (selfTest.maxAbsDiff !== undefined && !(maxAbsDiff <= selfTest.maxAbsDiff)) {
    return {
      ok: false,
      maxAbsDiff,
      cosine,
      reason: `max abs diff ${maxAbsDiff.toExponential(2)} > ${selfTest.maxAbsDiff}`,
    };
  }
  return { ok: true, maxAbsDiff, cosine };
}

/** Runs a manifest's self-test on a loaded session; throws a SelfTestError with the reason when it fails. */
export async function runSelfTest(runtime: EncoderRuntime, selfTest: SelfTest): Promise<void> {
  const window = decodeFloat32Base64(selfTest.input);
  const output = await runtime.run(window, Uint8Array.from(selfTest.leadMask), 1);
  const result = checkSelfTest(selfTest, output);
  if (!result.ok) throw new SelfTestError(result.reason ?? 'unknown reason');
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function signedBytes(manifest: UnsignedDeviceManifest): Uint8Array {
  const { signature: _ignored, ...rest } = manifest as DeviceManifest;
  return new TextEncoder().encode(canonicalJson(rest));
}

/** Signs a manifest with `sign` (e.g. Ed25519 over the canonical JSON bytes). */
export async function signDeviceManifest(
  manifest: UnsignedDeviceManifest,
  sign: (bytes: Uint8Array) => Promise<Uint8Array>,
  keyId?: string,
): Promise<DeviceManifest> {
  const value = toBase64(await sign(signedBytes(manifest)));
  return { ...manifest, signature: { alg: 'Ed25519', ...(keyId ? { keyId } : {}), value } };
}

/** True when the signature verifies over the rest of the manifest; false on any malformed signature. */
export async function verifyDeviceManifest(
  manifest: DeviceManifest,
  verify: (bytes: Uint8Array, signature: Uint8Array) => Promise<boolean>,
): Promise<boolean> {
  if (manifest?.format !== 'heartline-device-manifest' || manifest.signature?.alg !== 'Ed25519') return false;
  let signature: Uint8Array;
  try {
    signature = fromBase64(manifest.signature.value);
  } catch {
    return false;
  }
  return verify(signedBytes(manifest), signature);
}
