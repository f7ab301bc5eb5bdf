import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKeys } from '@heartline/trainer';

/** The cloud's Ed25519 manifest-signing key. */
export interface SigningKey {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** First 16 hex digits of the SHA-256 of the public key PEM. */
  readonly keyId: string;
}

function withId(keys: { privateKeyPem: string; publicKeyPem: string }): SigningKey {
  return { ...keys, keyId: createHash('sha256').update(keys.publicKeyPem).digest('hex').slice(0, 16) };
}

/**
 * The signing key kept in the data directory (`signing-key.pem`, 0600, and `signing-key.pub.pem`),
 * created on first start; never in the repository. Without a data directory the key lives in memory.
 */
export async function loadOrCreateSigningKey(dataDir: string | undefined): Promise<SigningKey> {
  if (dataDir === undefined) return withId(generateSigningKeys());
  const privatePath = join(dataDir, 'signing-key.pem');
  const publicPath = join(dataDir, 'signing-key.pub.pem');
  try {
    return withId({
      privateKeyPem: await readFile(privatePath, 'utf8'),
      publicKeyPem: await readFile(publicPath, 'utf8'),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const keys = generateSigningKeys();
  await writeFile(privatePath, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(publicPath, keys.publicKeyPem, { flag: 'wx' });
  return withId(keys);
}
