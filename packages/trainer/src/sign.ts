/**
 * Ed25519 signing and verification with node:crypto, in the callback shapes `signDeviceManifest` and
 * `verifyDeviceManifest` take (the pure model package does no crypto I/O).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public). */
export function generateSigningKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A signer over raw bytes with an Ed25519 private key (PEM). */
export function ed25519Signer(privateKeyPem: string): (bytes: Uint8Array) => Promise<Uint8Array> {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(
      `ed25519Signer: privateKeyPem holds a ${key.asymmetricKeyType} key, expected ed25519`,
    );
  }
  return async (bytes) => new Uint8Array(sign(null, bytes, key));
}

/** A verifier of Ed25519 signatures with a public key (PEM); false for a wrong-length signature. */
export function ed25519Verifier(
  publicKeyPem: string,
): (bytes: Uint8Array, signature: Uint8Array) => Promise<boolean> {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(
      `ed25519Verifier: publicKeyPem holds a ${key.asymmetricKeyType} key, expected ed25519`,
    );
  }
  return async (bytes, signature) => signature.length === 64 && verify(null, bytes, key, signature);
}
