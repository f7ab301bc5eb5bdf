/**
 * The storage functions on every database the cloud runs on: PGlite in memory, and a real PostgreSQL
 * server (Debian's, no pgvector) when it is installed, each case block with an empty database of its own.
 */
import { databaseTargets, stopTestPostgres } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestEcgs } from '../queries/search.js';
import { addDevice, findDevice } from './devices.js';
import type { SqlDriver } from './driver.js';
import { countEmbeddings, type EmbeddingRow, insertEmbeddings } from './embeddings.js';
import { migrate } from './migrate.js';
import { openStorage } from './open-storage.js';
import { addRejections, listRejections } from './rejections.js';
import { listReleases, registerRelease } from './releases.js';
import { createToken, roleAllows, roleOfToken } from './tokens.js';
import { parseVector } from './vector-text.js';

afterAll(stopTestPostgres);

function row(deviceId: string, seq: number, z: [number, number]): EmbeddingRow {
  return {
    deviceId,
    seq,
    t0: 1_700_000_000_123 + seq,
    release: 'r1',
    leadMask: 0xfff,
    quality: 0.5,
    patientId: 'p1',
    h: new Float32Array([seq, 0.25, -1]),
    z: new Float32Array(z),
  };
}

describe.each(databaseTargets())('storage on $name', (target) => {
  let db: SqlDriver;
  beforeAll(async () => {
    db = await openStorage({ databaseUrl: await target.newDatabase() });
    await registerRelease(db, { id: 'r1', ecgDim: 3, sharedDim: 2, dir: '/nowhere', manifest: { id: 'r1' } });
  }, 60_000);
  afterAll(() => db?.close());

  describe('migrate', () => {
    it('applies nothing the second time', async () => {
      expect(await migrate(db)).toEqual([]);
    });
  });

  describe('insertEmbeddings', () => {
    it('stores a (device, seq) once when the same batch arrives twice', async () => {
      const batch = [row('a', 1, [1, 0]), row('a', 2, [0, 1]), row('b', 1, [0.6, 0.8])];
      expect(await insertEmbeddings(db, batch)).toBe(3);
      expect(await insertEmbeddings(db, batch)).toBe(0);
      expect(await countEmbeddings(db)).toBe(3);
      expect(await countEmbeddings(db, 'a')).toBe(2);
    });

    it('keeps h, t0 and z exactly', async () => {
      const { rows } = await db.query<{ h: Uint8Array; t0ms: number; z: string }>(
        `SELECT h, round(extract(epoch FROM t0) * 1000)::float8 AS t0ms, z::text AS z
         FROM embeddings WHERE device_id = 'a' AND seq = 2`,
      );
      const r = rows[0]!;
      expect(Array.from(new Float32Array(new Uint8Array(r.h).buffer))).toEqual([2, 0.25, -1]);
      expect(r.t0ms).toBe(1_700_000_000_125);
      expect(Array.from(parseVector(r.z))).toEqual([0, 1]);
    });

    it('finds the nearest stored vector of a release by cosine distance (pgvector or exact scan)', async () => {
      const release = (await listReleases(db)).find((r) => r.id === 'r1')!;
      const hits = await nearestEcgs({ db }, release, new Float32Array([0.5, 0.9]), 1);
      // cos([0.6,0.8],[0.5,0.9]) ≈ 0.99 beats cos([0,1],…) ≈ 0.87 and cos([1,0],…) ≈ 0.49.
      expect(hits.map((h) => [h.deviceId, h.seq])).toEqual([['b', 1]]);
      expect(hits[0]!.score).toBeCloseTo(0.9907, 3);
    });
  });

  describe('devices and tokens', () => {
    it('stores device secrets only hashed', async () => {
      const secret = await addDevice(db, 'dev-1');
      const device = await findDevice(db, 'dev-1');
      expect(device?.secretHash).toMatch(/^scrypt\$/);
      expect(JSON.stringify(device)).not.toContain(secret);
    });

    it('keeps a known device on its channel when it gets a new secret without one', async () => {
      await addDevice(db, 'dev-canary', 'canary');
      await addDevice(db, 'dev-canary');
      expect((await findDevice(db, 'dev-canary'))?.channel).toBe('canary');
      await addDevice(db, 'dev-canary', 'stable');
      expect((await findDevice(db, 'dev-canary'))?.channel).toBe('stable');
      await addDevice(db, 'dev-new');
      expect((await findDevice(db, 'dev-new'))?.channel).toBe('stable');
    });

    it("issues device secrets that never start with '-' (a command line would read one as an option)", async () => {
      for (let i = 0; i < 20; i++) {
        const secret = await addDevice(db, `dev-s${i}`);
        expect(secret).toMatch(/^hld_[A-Za-z0-9_-]{43}$/);
      }
    });

    it('finds a token role by the token and nothing for an unknown token', async () => {
      const token = await createToken(db, 'operator');
      expect(await roleOfToken(db, token)).toBe('operator');
      expect(await roleOfToken(db, `${token}x`)).toBeUndefined();
      expect(roleAllows('admin', 'operator')).toBe(true);
      expect(roleAllows('viewer', 'operator')).toBe(false);
    });
  });

  describe('rejections', () => {
    it('adds counts per reason', async () => {
      await addRejections(db, new Map([['malformed', { count: 2, lastDetail: 'x' }]]));
      await addRejections(db, new Map([['malformed', { count: 3, lastDetail: 'y' }]]));
      expect((await listRejections(db))['malformed']).toBe(5);
    });
  });
});
