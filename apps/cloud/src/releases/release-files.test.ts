/**
 * Release files shared through the database, on PGlite and (when installed) a PostgreSQL server: two
 * `ReleaseFiles` with caches of their own stand for two instances on one database. Registration stores
 * every file; an instance without the release's folder materialises a byte-identical, verified copy; a
 * stored file changed afterwards is refused; releases registered before the files were stored are
 * backfilled by an instance that has their folder.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReleaseError } from '@heartline/model/errors';
import { databaseTargets, generateSigningKeys, makeRelease, stopTestPostgres } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseFileError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { listReleaseFiles } from '../storage/release-files.js';
import { listReleases, type ReleaseRow, registerRelease, releasesWithoutFiles } from '../storage/releases.js';
import { registerReleaseDir } from './register-release-dir.js';
import { ReleaseFiles } from './release-files.js';

let work: string;
/** The release as made: the reference every copy is compared with (never registered, never changed). */
let fixtureDir: string;
let releaseId: string;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-release-files-'));
  fixtureDir = join(work, 'fixture');
  releaseId = (await makeRelease(fixtureDir, 5, generateSigningKeys().privateKeyPem)).release;
}, 120_000);
afterAll(async () => {
  await stopTestPostgres();
  await rm(work, { recursive: true, force: true });
});

describe.each(databaseTargets())('release files on $name', (target) => {
  let db: SqlDriver;
  let origin: string;
  let row: ReleaseRow;
  const instances: ReleaseFiles[] = [];
  /** One instance's release files, with a cache folder of its own. */
  const instance = async (name: string) => {
    const files = new ReleaseFiles({ db, cacheDir: join(work, target.name, name) });
    instances.push(files);
    return files;
  };

  beforeAll(async () => {
    db = await openStorage({ databaseUrl: await target.newDatabase() });
    origin = join(work, target.name, 'origin');
    await cp(fixtureDir, origin, { recursive: true });
    row = await registerReleaseDir(db, origin);
  }, 60_000);
  afterAll(async () => {
    for (const files of instances) await files.close();
    await db?.close();
  });

  it('stores every file of the registered folder with its sha256', async () => {
    const stored = await listReleaseFiles(db, releaseId);
    const names = (await readdir(fixtureDir)).sort();
    expect(stored.map((f) => f.name)).toEqual(names);
    for (const file of stored) {
      const bytes = new Uint8Array(await readFile(join(fixtureDir, file.name)));
      expect([file.name, file.size, file.sha256]).toEqual([file.name, bytes.byteLength, sha256(bytes)]);
    }
    expect(row.dir).toBe(origin);
  });

  it('uses the folder the release was registered from while it holds the stored bytes', async () => {
    expect(await (await instance('first')).localDir(row)).toBe(origin);
  });

  it('materialises a byte-identical copy when the registered folder is gone', async () => {
    await rm(origin, { recursive: true });
    const second = await instance('second');
    const dir = await second.localDir(row);
    expect(dir).toBe(join(work, target.name, 'second', releaseId));
    expect((await readdir(dir)).sort()).toEqual((await readdir(fixtureDir)).sort());
    for (const name of await readdir(fixtureDir)) {
      const expected = await readFile(join(fixtureDir, name));
      expect(sha256(await readFile(join(dir, name))), name).toBe(sha256(expected));
    }
    // Served from the database, checked: the model devices download.
    const onnx = await second.read(row, 'ecg-encoder.onnx');
    expect(Buffer.from(onnx!).equals(await readFile(join(fixtureDir, 'ecg-encoder.onnx')))).toBe(true);
    expect(await second.read(row, 'ecg-encoder-int8.onnx')).toBeUndefined();
    // Again: the copy is verified and kept.
    expect(await second.localDir(row)).toBe(dir);
  });

  it('refuses a stored file whose bytes changed after registration (ReleaseFileError)', async () => {
    await db.query(
      `UPDATE release_files SET bytes = set_byte(bytes, 100, (get_byte(bytes, 100) + 1) % 256)
       WHERE release = $1 AND name = 'weights.bin'`,
      [releaseId],
    );
    try {
      const third = await instance('third');
      const refused = await third.localDir(row).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ReleaseFileError);
      expect((refused as ReleaseFileError).code).toBe('RELEASE_FILE');
      expect((refused as Error).message).toContain('weights.bin');
      await expect(third.read(row, 'weights.bin')).rejects.toBeInstanceOf(ReleaseFileError);
      // Nothing half-made is left for the next try.
      expect(await readdir(join(work, target.name, 'third'))).toEqual([]);
    } finally {
      await db.query(
        `UPDATE release_files SET bytes = set_byte(bytes, 100, (get_byte(bytes, 100) + 255) % 256)
         WHERE release = $1 AND name = 'weights.bin'`,
        [releaseId],
      );
    }
    expect(await (await instance('third-again')).localDir(row)).toContain('third-again');
  });

  it('refuses a copy whose weights were replaced with their sha256 as registration would (ReleaseError)', async () => {
    const before = (await listReleaseFiles(db, releaseId)).find((f) => f.name === 'weights.bin')!;
    const other = new Uint8Array(before.size).fill(7);
    await db.query(
      `UPDATE release_files SET bytes = $2, sha256 = $3 WHERE release = $1 AND name = 'weights.bin'`,
      [releaseId, other, sha256(other)],
    );
    try {
      const refused = await (await instance('fourth')).localDir(row).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ReleaseError);
      expect((refused as Error).message).toMatch(/does not match the manifest/);
    } finally {
      await db.query(
        `UPDATE release_files SET bytes = $2, sha256 = $3 WHERE release = $1 AND name = 'weights.bin'`,
        [releaseId, new Uint8Array(await readFile(join(fixtureDir, 'weights.bin'))), before.sha256],
      );
    }
  });

  it('backfills a release registered before its files were stored, from the instance that has its folder, once', async () => {
    const legacyDir = join(work, target.name, 'legacy');
    await cp(fixtureDir, legacyDir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(legacyDir, 'release.json'), 'utf8'));
    // As registered before migration 14: a row and a folder, no files in the database.
    await db.query('DELETE FROM release_files WHERE release = $1', [releaseId]);
    const legacy = await registerRelease(db, { ...row, dir: legacyDir, manifest });
    expect((await releasesWithoutFiles(db)).map((r) => r.id)).toEqual([releaseId]);
    // Without files in the database an instance works from the folder, as before.
    expect(await (await instance('fifth')).localDir(legacy)).toBe(legacyDir);

    const elsewhere = await instance('elsewhere');
    await rm(legacyDir, { recursive: true });
    expect(await elsewhere.backfill()).toEqual([]);
    await cp(fixtureDir, legacyDir, { recursive: true });
    const [first, second] = await Promise.all([
      (await instance('backfill-a')).backfill(),
      (await instance('backfill-b')).backfill(),
    ]);
    expect([...first!, ...second!]).toContain(releaseId);
    expect(await elsewhere.backfill()).toEqual([]);
    expect((await listReleaseFiles(db, releaseId)).map((f) => f.name)).toEqual(
      (await readdir(fixtureDir)).sort(),
    );
    expect(await releasesWithoutFiles(db)).toEqual([]);

    await rm(legacyDir, { recursive: true });
    const [current] = await listReleases(db);
    expect(await elsewhere.localDir(current!)).toBe(join(work, target.name, 'elsewhere', releaseId));
  });
});
