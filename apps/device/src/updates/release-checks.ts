/**
 * The runtime-agnostic part of the checks a release must pass before its bytes reach an encoder session:
 * manifest shape, Ed25519 signature (through a verifier callback, so Node's crypto and the browser's
 * WebCrypto both plug in), the input contract, byte size and sha256 (given as hex by the caller), and a
 * bounded download with `fetch`. Each failure is a `RefusedRelease` with a stable reason.
 */
import type { DeviceManifest } from '@heartline/model/onnx';
import { verifyDeviceManifest } from '@heartline/model/onnx';

import { DownloadError, RefusedRelease } from '../errors.js';

export type { RefusalReason } from '../errors.js';
export { RefusedRelease } from '../errors.js';

/** The input a device feeds its encoder. */
export interface DeviceInputSpec {
  readonly leads: number;
  readonly samples: number;
  readonly sampleRate: number;
}

/** The device's input contract: 12 leads × 1,000 samples at 100 Hz. */
export const DEVICE_INPUT: DeviceInputSpec = { leads: 12, samples: 1000, sampleRate: 100 };

/** Checks an Ed25519 signature of `bytes`; resolves false (never rejects) when it does not verify. */
export type SignatureVerifier = (bytes: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/** Parses manifest JSON loosely enough to name the release in a refusal. */
export function parseManifest(payload: Uint8Array | string): DeviceManifest {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RefusedRelease('malformed', '?', 'the manifest is not JSON');
  }
  const m = value as Partial<DeviceManifest> | null;
  const release = typeof m?.release === 'string' ? m.release : '?';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(release)) {
    throw new RefusedRelease(
      'malformed',
      release,
      'the release id must be 1–64 characters of [A-Za-z0-9._-]',
    );
  }
  if (
    m?.format !== 'heartline-device-manifest' ||
    typeof m.onnx?.sha256 !== 'string' ||
    typeof m.onnx?.bytes !== 'number' ||
    typeof m.input !== 'object' ||
    typeof m.selfTest?.input !== 'string'
  ) {
    throw new RefusedRelease('malformed', release, 'not a heartline device manifest');
  }
  return m as DeviceManifest;
}

/** Verifies signature (with `verify`) and input contract; throws RefusedRelease. */
export async function checkManifest(
  manifest: DeviceManifest,
  verify: SignatureVerifier,
  expected: DeviceInputSpec = DEVICE_INPUT,
): Promise<void> {
  const ok = await verifyDeviceManifest(manifest, async (bytes, signature) => {
    if (signature.length !== 64) return false;
    return verify(bytes, signature).catch(() => false);
  });
  if (!ok) {
    throw new RefusedRelease(
      'signature',
      manifest.release,
      'the Ed25519 signature does not verify with the provisioned key',
    );
  }
  const input = manifest.input;
  if (
    input.leads !== expected.leads ||
    input.samples !== expected.samples ||
    input.sampleRate !== expected.sampleRate
  ) {
    throw new RefusedRelease(
      'input-shape',
      manifest.release,
      `takes ${input.leads} × ${input.samples} at ${input.sampleRate} Hz; this device feeds ${expected.leads} × ${expected.samples} at ${expected.sampleRate} Hz`,
    );
  }
}

/** Checks model bytes against the manifest's byte size; throws RefusedRelease. */
export function checkModelSize(manifest: DeviceManifest, bytes: Uint8Array): void {
  if (bytes.byteLength !== manifest.onnx.bytes) {
    throw new RefusedRelease(
      'size',
      manifest.release,
      `${bytes.byteLength} bytes, the manifest says ${manifest.onnx.bytes}`,
    );
  }
}

/** Checks the sha256 (lowercase hex) of model bytes against the manifest's; throws RefusedRelease. */
export function checkModelHash(manifest: DeviceManifest, sha256Hex: string): void {
  if (sha256Hex !== manifest.onnx.sha256) {
    throw new RefusedRelease(
      'hash',
      manifest.release,
      `sha256 ${sha256Hex.slice(0, 16)}…, the manifest says ${manifest.onnx.sha256.slice(0, 16)}…`,
    );
  }
}

/**
 * Downloads the manifest's ONNX file with `fetch`, reading at most the announced size + 1 byte (so a huge
 * or endless body cannot fill memory). The caller checks size and hash.
 */
export async function fetchModel(
  manifest: DeviceManifest,
  timeoutMs = 60_000,
  authorization?: string,
): Promise<Uint8Array> {
  const url = manifest.onnx.url;
  if (!url) throw new RefusedRelease('malformed', manifest.release, 'the manifest has no onnx.url');
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(authorization === undefined ? {} : { headers: { authorization } }),
    });
    if (!response.ok || !response.body) throw new DownloadError(`HTTP ${response.status}`);
    const limit = manifest.onnx.bytes + 1;
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total >= limit) {
        await reader.cancel();
        break;
      }
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    return bytes;
  } catch (error) {
    throw new RefusedRelease('download', manifest.release, `GET ${url} failed: ${(error as Error).message}`);
  }
}

/**
 * The `Authorization` header a device sends for its model downloads: HTTP Basic with its id and secret
 * (model files are served to devices and dashboard users only). Undefined without a secret (a device
 * with a client certificate).
 */
export function deviceAuthorization(deviceId: string, secret: string): string | undefined {
  if (!secret) return undefined;
  const bytes = new TextEncoder().encode(`${deviceId}:${secret}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}
