/**
 * Reports stored before a release was registered get that release's vectors: the catalog reports the new
 * release once, the backfill encodes exactly the records without a vector in its space. On PGlite with a
 * stand-in text encoder (the real encoders are exercised by the cloud end-to-end tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseCatalog, type ReleaseModel } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { upsertRecords } from '../storage/records.js';
import { registerRelease } from '../storage/releases.js';
import { RecordVectorBackfill } from './record-vector-backfill.js';

const SHARED = 4;
let encodedTexts = 0;
const standIn = (id: string): ReleaseModel => ({
  id,
  ecgDim: 8,
  sharedDim: SHARED,
  projectEcg: (_h, n) => new Float32Array(n * SHARED),
  encodeText(texts) {
    encodedTexts += texts.length;
    const z = new Float32Array(texts.length * SHARED);
    for (const [i, t] of texts.entries()) z.set([1, t.length % 7, 0, 0], i * SHARED);
    return z;
  },
});

let db: SqlDriver;
beforeAll(async () => {
  db = await openStorage();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

async function vectorsIn(release: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM record_vectors WHERE release = $1',
    [release],
  );
  return rows[0]!.n;
}

describe('RecordVectorBackfill', () => {
  it('encodes the reports stored before a release in its space, once, when the catalog first sees it', async () => {
    await registerRelease(db, { id: 'r-old', ecgDim: 8, sharedDim: SHARED, dir: '/old', manifest: {} });
    const records = Array.from({ length: 600 }, (_, i) => ({
      id: `rec-${String(i).padStart(4, '0')}`,
      text: `sinus rhythm ${i}`,
      codes: [],
      source: 'json',
    }));
    const old = standIn('r-old').encodeText(records.map((r) => r.text));
    await upsertRecords(db, records, [{ release: 'r-old', z: old, dim: SHARED }]);

    const catalog = new ReleaseCatalog(db, async (dir) => standIn(dir));
    const seen: string[] = [];
    const backfill = new RecordVectorBackfill(db, catalog, () => undefined);
    catalog.onNewRelease((row) => {
      seen.push(row.id);
      void backfill.request(row.id);
    });
    await catalog.refresh();
    await backfill.idle();
    expect(seen).toEqual(['r-old']);
    expect(await vectorsIn('r-old')).toBe(600);

    // A release registered later (by a job, another instance): before the fix it had no report vectors.
    await registerRelease(db, { id: 'r-new', ecgDim: 8, sharedDim: SHARED, dir: '/new', manifest: {} });
    expect(await vectorsIn('r-new')).toBe(0);
    encodedTexts = 0;
    await catalog.refresh();
    await catalog.refresh();
    await backfill.idle();
    expect(seen).toEqual(['r-old', 'r-new']);
    expect(await vectorsIn('r-new')).toBe(600);
    expect(encodedTexts).toBe(600); // three batches of at most 256, each record once

    // Nothing is left to do: a repeated request encodes nothing.
    encodedTexts = 0;
    await backfill.request('r-new');
    expect(encodedTexts).toBe(0);
    await backfill.close();
  });
});
