import { describe, expect, it } from 'vitest';
import { ed25519Signer, ed25519Verifier, generateSigningKeys } from './sign.js';

describe('Ed25519 signer and verifier', () => {
  const keys = generateSigningKeys();
  const message = new TextEncoder().encode('{"release":"r1"}');

  it('produces a 64-byte signature that verifies with the matching public key', async () => {
    const sig = await ed25519Signer(keys.privateKeyPem)(message);
    expect(sig.length).toBe(64);
    expect(await ed25519Verifier(keys.publicKeyPem)(message, sig)).toBe(true);
  });

  it('refuses a signature with one flipped bit, another key’s signature and a 63-byte signature', async () => {
    const sig = await ed25519Signer(keys.privateKeyPem)(message);
    const verify = ed25519Verifier(keys.publicKeyPem);
    const flipped = sig.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(await verify(message, flipped)).toBe(false);
    const other = await ed25519Signer(generateSigningKeys().privateKeyPem)(message);
    expect(await verify(message, other)).toBe(false);
    expect(await verify(message, sig.subarray(0, 63))).toBe(false);
  });

  it('throws TypeError when the private key PEM holds an X25519 key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const x = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => ed25519Signer(x)).toThrow(TypeError);
  });
});
