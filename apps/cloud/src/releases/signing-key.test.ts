import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { databaseTargets, stopTestPostgres } from '@heartline/test-support';
import { ed25519Signer, ed25519Verifier, generateSigningKeys } from '@heartline/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { loadOrCreateSigningKey } from './signing-key.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-signing-key-'));
});
afterAll(async () => {
  await stopTestPostgres();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A data directory as earlier versions left it: the key pair in two PEM files. */
async function dataDirWithKey(name: string): Promise<{ dir: string; publicKeyPem: string; keyId: string }> {
  const dir = join(work, name);
  const keys = generateSigningKeys();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'signing-key.pem'), keys.privateKeyPem, { mode: 0o600 });
  await writeFile(join(dir, 'signing-key.pub.pem'), keys.publicKeyPem);
  const keyId = createHash('sha256').update(keys.publicKeyPem).digest('hex').slice(0, 16);
  return { dir, publicKeyPem: keys.publicKeyPem, keyId };
}

describe.each(databaseTargets())('loadOrCreateSigningKey on $name', (target) => {
  let shared: SqlDriver;
  beforeAll(async () => {
    shared = await openStorage({ databaseUrl: await target.newDatabase() });
  }, 60_000);
  afterAll(() => shared?.close());

  /** One database, as a fresh one (no key yet), for each test. */
  async function withDb(work: (db: SqlDriver) => Promise<void>): Promise<void> {
    await shared.query('DELETE FROM signing_key');
    await work(shared);
  }

  it('gives instances starting at once on one database the same key, and keeps it', async () => {
    await withDb(async (db) => {
      const lines: string[] = [];
      const keys = await Promise.all(
        Array.from({ length: 4 }, () => loadOrCreateSigningKey(db, { log: (l) => lines.push(l) })),
      );
      expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
      expect(new Set(keys.map((k) => k.privateKeyPem)).size).toBe(1);
      const { rows } = await db.query<{ n: number; origin: string }>(
        `SELECT count(*)::int AS n, min(origin) AS origin FROM signing_key`,
      );
      expect(rows[0]).toEqual({ n: 1, origin: 'generated' });
      // What one instance signs, another's public key verifies.
      const message = new TextEncoder().encode('manifest');
      const signature = await ed25519Signer(keys[0]!.privateKeyPem)(message);
      expect(await ed25519Verifier(keys[3]!.publicKeyPem)(message, signature)).toBe(true);
      expect((await loadOrCreateSigningKey(db)).keyId).toBe(keys[0]!.keyId);
      // Logs name the key by its id only.
      expect(lines.join('\n')).toContain(keys[0]!.keyId);
      expect(lines.join('\n')).not.toContain('PRIVATE KEY');
    });
  });

  it('keeps the private key out of JSON, log formatting and spreads', async () => {
    await withDb(async (db) => {
      const key = await loadOrCreateSigningKey(db);
      expect(key.privateKeyPem).toContain('BEGIN PRIVATE KEY');
      for (const shown of [JSON.stringify(key), inspect(key, { depth: 5 }), JSON.stringify({ ...key })])
        expect(shown).not.toContain('PRIVATE KEY');
      expect(JSON.parse(JSON.stringify(key))).toEqual({ publicKeyPem: key.publicKeyPem, keyId: key.keyId });
    });
  });

  it("imports a data directory's key on first start, so devices pinned to it keep working", async () => {
    const old = await dataDirWithKey('single-instance');
    await withDb(async (db) => {
      const key = await loadOrCreateSigningKey(db, { dataDir: old.dir });
      expect(key).toMatchObject({ keyId: old.keyId, publicKeyPem: old.publicKeyPem });
      const { rows } = await db.query<{ origin: string }>('SELECT origin FROM signing_key');
      expect(rows).toEqual([{ origin: 'imported' }]);
      // Another instance, without that data directory, signs with the same key.
      expect((await loadOrCreateSigningKey(db, { dataDir: join(work, 'empty') })).keyId).toBe(old.keyId);
    });
  });

  it("keeps the database's key when an instance's data directory holds another, and says so", async () => {
    const first = await dataDirWithKey('instance-a');
    const second = await dataDirWithKey('instance-b');
    await withDb(async (db) => {
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const keys = await Promise.all([
        loadOrCreateSigningKey(db, { dataDir: first.dir, log }),
        loadOrCreateSigningKey(db, { dataDir: second.dir, log }),
      ]);
      expect(keys[0]!.keyId).toBe(keys[1]!.keyId);
      expect([first.keyId, second.keyId]).toContain(keys[0]!.keyId);
      const other = keys[0]!.keyId === first.keyId ? second.keyId : first.keyId;
      expect(lines.some((l) => l.includes(other) && l.includes('not the database'))).toBe(true);
    });
  });

  it('refuses a data directory whose public key file is not the private key', async () => {
    const broken = await dataDirWithKey('mismatched');
    await writeFile(join(broken.dir, 'signing-key.pub.pem'), generateSigningKeys().publicKeyPem);
    await withDb(async (db) => {
      await expect(loadOrCreateSigningKey(db, { dataDir: broken.dir })).rejects.toBeInstanceOf(StorageError);
      expect((await db.query('SELECT 1 FROM signing_key')).rows).toEqual([]);
    });
  });
});
