/**
 * Release checks on WebCrypto (`crypto.subtle`), for the browser device: Ed25519 public keys from PEM
 * (SPKI), a signature verifier for `checkManifest`, and sha256 as hex. Also runs in Node ≥ 20, whose
 * global `crypto.subtle` speaks Ed25519, which is how it is unit-tested.
 */
import type { ReleaseCrypto } from '../core/ports.js';
import type { SignatureVerifier } from './release-checks.js';

function pemBody(pem: string): Uint8Array<ArrayBuffer> {
  const match = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  if (!match?.[1]) throw new TypeError('public key: expected a PEM "PUBLIC KEY" (SPKI) block');
  const binary = atob(match[1].replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Imports an Ed25519 public key (PEM, SPKI) for verification; TypeError when it is not one. */
export async function importEd25519PublicKey(pem: string): Promise<CryptoKey> {
  const der = pemBody(pem);
  try {
    return await crypto.subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
  } catch (cause) {
    throw new TypeError(`public key: not an Ed25519 SPKI key (${(cause as Error).message})`, { cause });
  }
}

/** A `checkManifest` verifier backed by WebCrypto Ed25519. */
export function webEd25519Verifier(key: CryptoKey): SignatureVerifier {
  // WebCrypto takes ArrayBuffer-backed views only: copy (a signature and a canonical manifest are small).
  return (bytes, signature) =>
    crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(bytes));
}

/** sha256 of `bytes` as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const view =
    bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', view));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** The model updater's crypto on WebCrypto: Ed25519 with `key`, and sha256. */
export function webReleaseCrypto(key: CryptoKey): ReleaseCrypto {
  return { verify: webEd25519Verifier(key), sha256Hex };
}
