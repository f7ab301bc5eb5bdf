import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from '../storage/driver.js';
import { type EmbeddingRow, insertEmbeddings } from '../storage/embeddings.js';
import { openStorage } from '../storage/open-storage.js';
import { type ReleaseRow, registerRelease } from '../storage/releases.js';
import { EcgVectorIndex } from './ecg-vector-index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'heartline-ecg-index-'));
  dirs.push(dir);
  return dir;
}

/** A seeded 8-d unit vector per (device, seq). */
function vector(seed: number): Float32Array {
  const v = Float32Array.from(
    { length: 8 },
    (_, i) => Math.sin(seed * 1.7 + i * 0.9) + 0.2 * Math.cos(seed * i),
  );
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function rows(release: string, from: number, n: number): EmbeddingRow[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId: 'dev-a',
    seq: from + i,
    t0: 1_700_000_000_000 + (from + i) * 10_000,
    release,
    leadMask: 0xfff,
    quality: 0.9,
    h: new Float32Array(4),
    z: vector(from + i),
  }));
}

/** (device, seq) of the exact top k by pgvector's cosine distance with index scans off. */
async function exactTop(db: SqlDriver, release: ReleaseRow, z: Float32Array, k: number): Promise<number[]> {
  const { rows } = await db.query<{ seq: number }>(
    `SELECT seq::float8 AS seq FROM embeddings WHERE release = $2
     ORDER BY z::vector(8) <=> $1::real[]::vector(8) LIMIT $3`,
    [`{${Array.from(z).join(',')}}`, release.id, k],
  );
  return rows.map((r) => r.seq);
}

async function seqsOf(db: SqlDriver, ids: bigint[]): Promise<number[]> {
  const { rows } = await db.query<{ id: string; seq: number }>(
    'SELECT id::text AS id, seq::float8 AS seq FROM embeddings WHERE id = ANY($1::bigint[])',
    [ids.map(String)],
  );
  const seqById = new Map(rows.map((r) => [r.id, r.seq]));
  return ids.map((id) => seqById.get(id.toString())!);
}

describe('EcgVectorIndex', () => {
  it('follows the table: rows stored before and after it opened are found as an exact search finds them', async () => {
    const db = await openStorage();
    const release = await registerRelease(db, { id: 'r8', ecgDim: 4, sharedDim: 8, dir: '/x', manifest: {} });
    await insertEmbeddings(db, rows('r8', 1, 300));
    const index = await EcgVectorIndex.open({ db, readRows: 128 });
    await index.whenReady();
    expect(index.usable).toBe(true);
    await insertEmbeddings(db, rows('r8', 301, 200));
    await index.follow();
    expect((await index.stats())[0]).toMatchObject({
      release: release.num,
      dim: 8,
      indexed: 0,
      pending: 500,
    });
    for (const seed of [3, 77, 420, 499]) {
      const query = vector(seed + 0.5);
      const hits = await index.nearest(release.num, query, 10);
      expect(
        await seqsOf(
          db,
          hits.map((h) => h.id),
        ),
      ).toEqual(await exactTop(db, release, query, 10));
    }
    // A release it has no rows of answers with nothing.
    expect(await index.nearest(release.num + 1, vector(1), 5)).toEqual([]);
    await index.close();
    await db.close();
  }, 60_000);

  it('restarts from its snapshot and reads only the rows stored since', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, 'vector-index');
    const db = await openStorage({ dataDir });
    const release = await registerRelease(db, { id: 'r8', ecgDim: 4, sharedDim: 8, dir: '/x', manifest: {} });
    await insertEmbeddings(db, rows('r8', 1, 100));
    const first = await EcgVectorIndex.open({ db, dir });
    await first.whenReady();
    await first.close();
    // Stored while no index ran.
    await insertEmbeddings(db, rows('r8', 101, 20));
    // Vectors the index reads from the database: only the 20 rows stored since the snapshot.
    let vectorsRead = 0;
    const counting: SqlDriver = {
      ...db,
      query: async <Row>(sql: string, params?: readonly unknown[]) => {
        const result = await db.query<Row>(sql, params);
        for (const row of result.rows as Record<string, unknown>[])
          if (typeof row.z === 'string') vectorsRead++;
        return result;
      },
    };
    const second = await EcgVectorIndex.open({ db: counting, dir, readRows: 1000 });
    await second.whenReady();
    expect(vectorsRead).toBe(20);
    expect((await second.stats())[0]).toMatchObject({ pending: 120 });
    const query = vector(110);
    const hits = await second.nearest(release.num, query, 5);
    expect(
      await seqsOf(
        db,
        hits.map((h) => h.id),
      ),
    ).toEqual(await exactTop(db, release, query, 5));
    await second.close();
    await db.close();
  }, 60_000);

  it('saves a snapshot with no rows yet and starts from it', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, 'vector-index');
    const db = await openStorage({ dataDir });
    const lines: string[] = [];
    const first = await EcgVectorIndex.open({ db, dir, log: (line) => lines.push(line) });
    await first.whenReady();
    await first.close();
    // Closing wrote the snapshot (it once failed with ENOENT when no release had rows).
    expect(lines).toEqual([]);
    const release = await registerRelease(db, { id: 'r8', ecgDim: 4, sharedDim: 8, dir: '/x', manifest: {} });
    await insertEmbeddings(db, rows('r8', 1, 5));
    const second = await EcgVectorIndex.open({ db, dir, log: (line) => lines.push(line) });
    await second.whenReady();
    expect(lines).toEqual([]);
    expect((await second.stats())[0]).toMatchObject({ release: release.num, pending: 5 });
    await second.close();
    await db.close();
  }, 60_000);

  it('rebuilds from the database when the snapshot is damaged (a truncated file), losing nothing', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, 'vector-index');
    const db = await openStorage({ dataDir });
    const release = await registerRelease(db, { id: 'r8', ecgDim: 4, sharedDim: 8, dir: '/x', manifest: {} });
    await insertEmbeddings(db, rows('r8', 1, 50));
    const first = await EcgVectorIndex.open({ db, dir });
    await first.whenReady();
    await first.close();
    await writeFile(join(dir, `release-${release.num}.tail`), 'not a snapshot');
    const lines: string[] = [];
    const second = await EcgVectorIndex.open({ db, dir, log: (line) => lines.push(line) });
    await second.whenReady();
    expect(lines.join('\n')).toMatch(/snapshot not used/);
    expect((await second.stats())[0]).toMatchObject({ pending: 50 });
    await second.close();
    await db.close();
  }, 60_000);
});
