import { createHash } from 'node:crypto';
import { signDeviceManifest, type UnsignedDeviceManifest } from '@heartline/model/onnx';
import { ed25519Signer, generateSigningKeys } from '@heartline/trainer';
import { describe, expect, it } from 'vitest';
import { checkManifest, checkModelHash, RefusedRelease } from './release-checks.js';
import { importEd25519PublicKey, sha256Hex, webEd25519Verifier } from './web-crypto.js';

const keys = generateSigningKeys();

const unsigned: UnsignedDeviceManifest = {
  format: 'heartline-device-manifest',
  formatVersion: 1,
  release: 'r-web',
  onnx: { sha256: 'ab'.repeat(32), bytes: 10, precision: 'float32' },
  input: { leads: 12, samples: 1000, sampleRate: 100, ecgDim: 32, preprocessing: {} },
  selfTest: { input: '', leadMask: [], expected: [], minCosine: 0.999 },
  created: '2026-01-01T00:00:00.000Z',
};

describe('WebCrypto release checks', () => {
  it('accepts a manifest signed with the matching key and refuses a tampered or foreign one', async () => {
    const verifier = webEd25519Verifier(await importEd25519PublicKey(keys.publicKeyPem));
    const signed = await signDeviceManifest(unsigned, ed25519Signer(keys.privateKeyPem));
    await expect(checkManifest(signed, verifier)).resolves.toBeUndefined();
    await expect(checkManifest({ ...signed, release: 'r-other' }, verifier)).rejects.toMatchObject({
      reason: 'signature',
    });
    const foreign = await signDeviceManifest(unsigned, ed25519Signer(generateSigningKeys().privateKeyPem));
    await expect(checkManifest(foreign, verifier)).rejects.toBeInstanceOf(RefusedRelease);
  });

  it('refuses a key that is not an Ed25519 PEM with a TypeError', async () => {
    await expect(importEd25519PublicKey('not a key')).rejects.toThrow(TypeError);
  });

  it('hashes like node:crypto, and a mismatch is refused as hash', async () => {
    const bytes = new TextEncoder().encode('heartline model bytes');
    const hex = await sha256Hex(bytes.subarray(3));
    expect(hex).toBe(createHash('sha256').update(bytes.subarray(3)).digest('hex'));
    expect(() => checkModelHash({ ...unsigned, signature: { alg: 'Ed25519', value: '' } }, hex)).toThrow(
      /refused \(hash\)/,
    );
  });
});
