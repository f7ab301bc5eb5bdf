/**
 * ECG search on every database the cloud runs on: PGlite in memory, and a real PostgreSQL server
 * (Debian's, without pgvector: the exact scan is plain SQL there) when it is installed.
 */
import { databaseTargets, stopTestPostgres } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDatasetCases } from '../storage/dataset-ecgs.js';
import type { SqlDriver } from '../storage/driver.js';
import { type EmbeddingRow, insertEmbeddings } from '../storage/embeddings.js';
import { openStorage } from '../storage/open-storage.js';
import { type ReleaseRow, registerRelease } from '../storage/releases.js';
import { EcgVectorIndex } from '../vector-index/ecg-vector-index.js';
import { nearestEcgs } from './search.js';

function vector(seed: number): Float32Array {
  const v = Float32Array.from(
    { length: 8 },
    (_, i) => Math.sin(seed * 2.3 + i * 1.1) + 0.1 * Math.cos(seed + i),
  );
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function row(seq: number, patientId: string, deviceId = 'dev-s'): EmbeddingRow {
  return {
    deviceId,
    seq,
    t0: 1_700_000_000_000 + seq * 10_000,
    release: 'rs',
    leadMask: 0xfff,
    quality: 0.9,
    patientId,
    h: new Float32Array(4),
    z: vector(seq),
  };
}

afterAll(stopTestPostgres);

const identity = (hits: { deviceId: string; seq: number }[]) => hits.map((h) => `${h.deviceId}#${h.seq}`);

describe.each(databaseTargets())('search on $name', (target) => {
  let db: SqlDriver;
  let release: ReleaseRow;
  let ecgIndex: EcgVectorIndex;
  beforeAll(async () => {
    db = await openStorage({ databaseUrl: await target.newDatabase() });
    release = await registerRelease(db, { id: 'rs', ecgDim: 4, sharedDim: 8, dir: '/x', manifest: {} });
    // 400 rows: patient p-rare has 3 of them, the rest belong to p-common.
    await insertEmbeddings(
      db,
      Array.from({ length: 400 }, (_, i) => row(i + 1, i % 150 === 7 ? 'p-rare' : 'p-common')),
    );
    ecgIndex = await EcgVectorIndex.open({ db });
    await ecgIndex.whenReady();
  }, 60_000);
  afterAll(async () => {
    await ecgIndex?.close();
    await db?.close();
  });

  describe('nearestEcgs through the in-process index', () => {
    it('answers as the exact SQL search does, scores included', async () => {
      expect(ecgIndex.usable).toBe(true);
      for (const seed of [0.5, 42.5, 333.3]) {
        const query = vector(seed);
        const viaIndex = await nearestEcgs({ db, ecgIndex }, release, query, 10);
        const viaSql = await nearestEcgs({ db }, release, query, 10);
        expect(identity(viaIndex)).toEqual(identity(viaSql));
        for (const [i, hit] of viaIndex.entries()) expect(hit.score).toBeCloseTo(viaSql[i]!.score, 5);
        expect(viaIndex[0]).toMatchObject({ release: 'rs', patientId: expect.any(String) });
      }
    });

    it('applies a filter that keeps few rows (a rare patient) by falling back to SQL', async () => {
      const hits = await nearestEcgs({ db, ecgIndex }, release, vector(200), 5, { patientId: 'p-rare' });
      expect(hits.map((h) => h.seq).sort((a, b) => a - b)).toEqual([8, 158, 308]);
      expect(hits.every((h) => h.patientId === 'p-rare')).toBe(true);
    });

    it('applies a time filter from the candidates and agrees with SQL', async () => {
      const filter = { from: new Date(1_700_000_000_000 + 100 * 10_000).toISOString() };
      const viaIndex = await nearestEcgs({ db, ecgIndex }, release, vector(7.7), 10, filter);
      const viaSql = await nearestEcgs({ db }, release, vector(7.7), 10, filter);
      expect(identity(viaIndex)).toEqual(identity(viaSql));
      expect(viaIndex.every((h) => h.seq >= 100)).toBe(true);
    });

    it('sees a re-imported dataset case once, with its new vector, and rows stored just before the query', async () => {
      const original = { ...row(1, 'p-data', 'dataset-x'), folder: '/data', recordPath: 'records100/1' };
      await upsertDatasetCases(db, [original]);
      await ecgIndex.follow();
      // Re-imported with another vector: it gets a new id; the old entry in the index must not come back.
      await upsertDatasetCases(db, [{ ...original, z: vector(9999) }]);
      await insertEmbeddings(db, [row(401, 'p-common')]);
      void ecgIndex.follow();
      const hits = await nearestEcgs({ db, ecgIndex }, release, vector(9999), 3);
      expect(identity(hits)[0]).toBe('dataset-x#1');
      expect(identity(hits).filter((id) => id === 'dataset-x#1')).toHaveLength(1);
      const newest = await nearestEcgs({ db, ecgIndex }, release, vector(401), 1);
      expect(identity(newest)).toEqual(['dev-s#401']);
      const old = await nearestEcgs({ db, ecgIndex }, release, vector(1), 3);
      expect(identity(old)).not.toContain('dataset-x#1');
    });

    it('search right after start finds rows stored behind the index (a dataset import that never announced them)', async () => {
      // The first-start finding: `heartline start` imported cases after the index was ready and never
      // called `follow`, so searches answered no hits until a device's batch woke the index.
      await upsertDatasetCases(db, [
        {
          ...row(77, 'p-quiet', 'dataset-quiet'),
          z: vector(31_337),
          folder: '/data',
          recordPath: 'records100/77',
        },
      ]);
      const hits = await nearestEcgs({ db, ecgIndex }, release, vector(31_337), 1);
      expect(identity(hits)).toEqual(['dataset-quiet#77']);
    });
  });
});
