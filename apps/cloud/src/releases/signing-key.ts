/**
 * The cloud's Ed25519 manifest-signing key, one for every instance sharing the database: devices pin
 * one public key, so instances signing with keys of their own would have their manifests refused.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKeys } from '@heartline/trainer';
import { StorageError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';

/**
 * The cloud's Ed25519 manifest-signing key. `privateKeyPem` is not enumerable: `JSON.stringify`, log
 * formatting and object spreads leave it out, so it does not leak into answers or logs by accident.
 */
export interface SigningKey {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** First 16 hex digits of the SHA-256 of the public key PEM. */
  readonly keyId: string;
}

/** Options of {@link loadOrCreateSigningKey}. */
export interface SigningKeyOptions {
  /**
   * A data directory whose `signing-key.pem` (and `signing-key.pub.pem`), written by earlier versions,
   * is imported when the database has no key yet, so devices pinned to it keep working. Default none.
   */
  readonly dataDir?: string | undefined;
  /** Start-up lines (key id and origin, never the key). Default none. */
  readonly log?: ((line: string) => void) | undefined;
}

const keyIdOf = (publicKeyPem: string) =>
  createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 16);

function signingKey(privateKeyPem: string, publicKeyPem: string, keyId: string): SigningKey {
  const key = { publicKeyPem, keyId } as SigningKey;
  Object.defineProperty(key, 'privateKeyPem', { value: privateKeyPem, enumerable: false });
  return Object.freeze(key);
}

interface KeyRow {
  private_key_pem: string;
  public_key_pem: string;
  key_id: string;
  origin: string;
}

/**
 * The key in the database (table `signing_key`, one row). The first instance to start stores one (the
 * data directory's, else a new one); instances starting at once race with `ON CONFLICT DO NOTHING` and
 * all read back the row that won.
 */
export async function loadOrCreateSigningKey(
  db: SqlDriver,
  options: SigningKeyOptions = {},
): Promise<SigningKey> {
  const log = options.log ?? (() => {});
  const stored = await readKey(db);
  const local = options.dataDir === undefined ? undefined : await readDataDirKey(options.dataDir);
  if (!stored) {
    const candidate = local ?? generateSigningKeys();
    await db.query(
      `INSERT INTO signing_key (private_key_pem, public_key_pem, key_id, origin) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [
        candidate.privateKeyPem,
        candidate.publicKeyPem,
        keyIdOf(candidate.publicKeyPem),
        local ? 'imported' : 'generated',
      ],
    );
  }
  const row = stored ?? (await readKey(db));
  if (!row) throw new StorageError('the signing_key row is missing right after it was stored');
  if (!stored)
    log(
      `cloud: signing key ${row.key_id} stored in the database (${row.origin}); every instance signs with it`,
    );
  if (local && keyIdOf(local.publicKeyPem) !== row.key_id) {
    log(
      `cloud: the data directory's signing key ${keyIdOf(local.publicKeyPem)} is not the database's ${row.key_id}: manifests are signed with the database's`,
    );
  }
  return signingKey(row.private_key_pem, row.public_key_pem, row.key_id);
}

async function readKey(db: SqlDriver): Promise<KeyRow | undefined> {
  const { rows } = await db.query<KeyRow>(
    'SELECT private_key_pem, public_key_pem, key_id, origin FROM signing_key WHERE id',
  );
  return rows[0];
}

/**
 * The key pair earlier versions kept in the data directory, or undefined without one. The public PEM
 * file is used as written (the key id hashes its text) when it belongs to the private key.
 */
async function readDataDirKey(
  dataDir: string,
): Promise<{ privateKeyPem: string; publicKeyPem: string } | undefined> {
  const privatePath = join(dataDir, 'signing-key.pem');
  const privateKeyPem = await readFile(privatePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (privateKeyPem === undefined) return undefined;
  let derived: string;
  try {
    const key = createPrivateKey(privateKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`a ${key.asymmetricKeyType} key`);
    derived = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  } catch (cause) {
    throw new StorageError(`${privatePath} holds no Ed25519 private key (PKCS#8 PEM)`, { cause });
  }
  const publicPath = join(dataDir, 'signing-key.pub.pem');
  const written = await readFile(publicPath, 'utf8').catch(() => undefined);
  if (written !== undefined && !samePublicKey(written, derived))
    throw new StorageError(`${publicPath} is not the public key of ${privatePath}`);
  return { privateKeyPem, publicKeyPem: written ?? derived };
}

function samePublicKey(a: string, b: string): boolean {
  try {
    const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return der(a).equals(der(b));
  } catch {
    return false;
  }
}
