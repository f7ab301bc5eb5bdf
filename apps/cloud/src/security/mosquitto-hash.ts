import { pbkdf2Sync, randomBytes } from 'node:crypto';

/** Iterations mosquitto_passwd uses for its `$7$` (PBKDF2-SHA512) format. */
const ITERATIONS = 101;

/**
 * One mosquitto password-file hash (`$7$iterations$salt$hash`, PBKDF2-SHA512, 12-byte salt, 64-byte key),
 * the format `mosquitto_passwd` writes, so the cloud can issue device credentials an external mosquitto
 * accepts without ever storing the plain secret.
 */
export function mosquittoHash(
  secret: string,
  salt: Buffer = randomBytes(12),
  iterations = ITERATIONS,
): string {
  const key = pbkdf2Sync(secret, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}
