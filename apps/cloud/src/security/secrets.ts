/**
 * Credentials: device secrets hashed with scrypt (slow on purpose: they are short-lived in memory and
 * checked once per connection), bearer tokens hashed with SHA-256 (256 random bits need no stretching, and
 * a fast hash lets a request find its token by hash). Comparisons are constant-time.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

function scryptAsync(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((done, fail) => {
    scrypt(secret, salt, SCRYPT.keyLength, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? fail(error) : done(key),
    );
  });
}

/** A new random secret (device password or bearer token body), URL-safe, 256 bits. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** `scrypt$N$r$p$salt$hash` (base64) of a device secret. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `secret` matches a {@link hashSecret} string; false (never a throw) for a malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0)) return false;
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.byteLength !== SCRYPT.keyLength) return false;
  const key = await scryptAsync(secret, Buffer.from(parts[4]!, 'base64'), n, r, p);
  return timingSafeEqual(key, expected);
}

/** SHA-256 hex of a bearer token, the form tokens are stored and looked up in. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
