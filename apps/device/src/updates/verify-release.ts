/**
 * The checks a release must pass before its bytes reach an ONNX Runtime session, with Node's crypto:
 * Ed25519 signature of the manifest against the provisioned public key, the input contract, then byte
 * size and sha256 of the downloaded file. The runtime-agnostic parts live in `release-checks.ts` (shared
 * with the browser device); each failure is a `RefusedRelease` with a stable reason.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { DeviceManifest } from '@heartline/model/onnx';
import type { ReleaseCrypto } from '../core/ports.js';
import {
  checkManifest,
  checkModelHash,
  checkModelSize,
  DEVICE_INPUT,
  type DeviceInputSpec,
  fetchModel,
} from './release-checks.js';

export type { DeviceInputSpec, RefusalReason } from './release-checks.js';
export { DEVICE_INPUT, parseManifest, RefusedRelease } from './release-checks.js';

/** Reads an Ed25519 public key (PEM, SPKI); TypeError when it is another kind of key. */
export function readPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`public key: holds a ${key.asymmetricKeyType} key, expected ed25519`);
  }
  return key;
}

/** The model updater's crypto on node:crypto: Ed25519 with `publicKey`, and sha256. */
export function nodeReleaseCrypto(publicKey: KeyObject): ReleaseCrypto {
  return {
    verify: async (bytes, signature) => verify(null, bytes, publicKey, signature),
    sha256Hex: async (bytes) => createHash('sha256').update(bytes).digest('hex'),
  };
}

/** Verifies signature and input contract; throws RefusedRelease. */
export function verifyManifest(
  manifest: DeviceManifest,
  publicKey: KeyObject,
  expected: DeviceInputSpec = DEVICE_INPUT,
): Promise<void> {
  return checkManifest(
    manifest,
    async (bytes, signature) => verify(null, bytes, publicKey, signature),
    expected,
  );
}

/** Checks downloaded (or stored) model bytes against the manifest's size and sha256; throws RefusedRelease. */
export function verifyModelBytes(manifest: DeviceManifest, bytes: Uint8Array): void {
  checkModelSize(manifest, bytes);
  checkModelHash(manifest, createHash('sha256').update(bytes).digest('hex'));
}

/**
 * Downloads the manifest's ONNX file, reading at most the announced size + 1 byte (so a huge or endless
 * body cannot fill memory), then checks size and hash.
 */
export async function downloadModel(
  manifest: DeviceManifest,
  timeoutMs = 60_000,
  authorization?: string,
): Promise<Uint8Array> {
  const bytes = await fetchModel(manifest, timeoutMs, authorization);
  verifyModelBytes(manifest, bytes);
  return bytes;
}
