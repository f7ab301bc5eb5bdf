import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, tokenHash, verifySecret } from './secrets.js';

describe('device secrets', () => {
  it('verifies the secret it hashed and refuses another', async () => {
    const secret = newSecret();
    const stored = await hashSecret(secret);
    expect(stored).not.toContain(secret);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(`${secret}x`, stored)).toBe(false);
  });

  it('returns false for malformed stored hashes such as "" and "scrypt$1$2"', async () => {
    expect(await verifySecret('x', '')).toBe(false);
    expect(await verifySecret('x', 'scrypt$1$2')).toBe(false);
    expect(await verifySecret('x', 'scrypt$a$b$c$d$e')).toBe(false);
  });

  it('salts: one secret hashed twice gives two strings', async () => {
    expect(await hashSecret('same')).not.toBe(await hashSecret('same'));
  });
});

describe('tokenHash', () => {
  it('is the SHA-256 hex of the token', () => {
    expect(tokenHash('abc')).toBe(createHash('sha256').update('abc', 'utf8').digest('hex'));
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
