/**
 * The checks a release must pass before its bytes reach an ONNX Runtime session: Ed25519 signature of
 * the manifest against the provisioned public key, the input contract, then byte size and sha256 of the
 * downloaded file. Each failure is a `RefusedRelease` with a stable reason.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { type DeviceManifest, verifyDeviceManifest } from '@heartline/model/onnx';

/** Why a release was refused. */
export type RefusalReason =
  | 'malformed'
  | 'signature'
  | 'input-shape'
  | 'download'
  | 'size'
  | 'hash'
  | 'load'
  | 'self-test';

/** A release that must not be loaded, with the reason and what was found. */
export class RefusedRelease extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly release: string,
    detail: string,
  ) {
    super(`release ${release} refused (${reason}): ${detail}`);
  }
}

/** The input a device feeds its encoder. */
export interface DeviceInputSpec {
  readonly leads: number;
  readonly samples: number;
  readonly sampleRate: number;
}

/** The device's input contract: 12 leads × 1,000 samples at 100 Hz. */
export const DEVICE_INPUT: DeviceInputSpec = { leads: 12, samples: 1000, sampleRate: 100 };

/** Reads an Ed25519 public key (PEM, SPKI); TypeError when it is another kind of key. */
export function readPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`public key: holds a ${key.asymmetricKeyType} key, expected ed25519`);
  }
  return key;
}

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

/** Verifies signature and input contract; throws RefusedRelease. */
export async function verifyManifest(
  manifest: DeviceManifest,
  publicKey: KeyObject,
  expected: DeviceInputSpec = DEVICE_INPUT,
): Promise<void> {
  const ok = await verifyDeviceManifest(
    manifest,
    async (bytes, signature) => signature.length === 64 && verify(null, bytes, publicKey, signature),
  );
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

/** Checks downloaded (or stored) model bytes against the manifest's size and sha256; throws RefusedRelease. */
export function verifyModelBytes(manifest: DeviceManifest, bytes: Uint8Array): void {
  if (bytes.byteLength !== manifest.onnx.bytes) {
    throw new RefusedRelease(
      'size',
      manifest.release,
      `${bytes.byteLength} bytes, the manifest says ${manifest.onnx.bytes}`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.onnx.sha256) {
    throw new RefusedRelease(
      'hash',
      manifest.release,
      `sha256 ${sha256.slice(0, 16)}…, the manifest says ${manifest.onnx.sha256.slice(0, 16)}…`,
    );
  }
}

/**
 * Downloads the manifest's ONNX file, reading at most the announced size + 1 byte (so a huge or endless
 * body cannot fill memory), then checks size and hash.
 */
export async function downloadModel(manifest: DeviceManifest, timeoutMs = 60_000): Promise<Uint8Array> {
  const url = manifest.onnx.url;
  if (!url) throw new RefusedRelease('malformed', manifest.release, 'the manifest has no onnx.url');
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
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
    bytes = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
  } catch (error) {
    throw new RefusedRelease('download', manifest.release, `GET ${url} failed: ${(error as Error).message}`);
  }
  verifyModelBytes(manifest, bytes);
  return bytes;
}
