/**
 * Top-10 search over stored device embeddings: PGlite + pgvector through the cloud's storage layer and
 * its `nearestEcgs` query, at 100k stored vectors by default and at the sizes listed in
 * `HEARTLINE_BENCH_QUERY_SIZES` (e.g. `100000,1000000`). For each size: fill the database with clustered
 * synthetic unit vectors of the release's shared dimension (see clustered-vectors.ts), build the
 * release's HNSW index (timed), then time single-client queries at several `hnsw.ef_search` values and
 * measure recall@10 against an exact brute-force search over the same vectors. The exact SQL scan (the
 * same query with index scans off) is timed on a few queries and checked against the brute force.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EmbeddingRow,
  insertEmbeddings,
  nearestEcgs,
  openStorage,
  registerRelease,
} from '@heartline/cloud';
import { DEFAULT_CONFIG } from '@heartline/model/nn';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { ClusteredVectors, exactTopK } from './clustered-vectors.js';

const QUERIES = Number(process.env.HEARTLINE_BENCH_QUERY_COUNT ?? 200);
const WARM_UP = 20;
const K = 10;
/** ef_search values tried; 40 is pgvector's default. */
const EF_SEARCH = [40, 64, 100, 200];
const EXACT_QUERIES = 5;
const FILL_BATCH = 5000;
const DEVICES = 1000;

function sizes(): number[] {
  const text = process.env.HEARTLINE_BENCH_QUERY_SIZES ?? '100000';
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1000)) {
    throw new Error(`HEARTLINE_BENCH_QUERY_SIZES must list integers ≥ 1000, got ${JSON.stringify(text)}`);
  }
  return list;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function label(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
}

/** Stored row number of a hit (device `q-<n mod DEVICES>`, seq = row number). */
function rowOf(hit: { seq: number }): number {
  return hit.seq;
}

async function measureSize(n: number, progress: (message: string) => void): Promise<BenchFigure[]> {
  const dim = DEFAULT_CONFIG.sharedDim;
  const ecgDim = DEFAULT_CONFIG.ecgDim;
  const work = await mkdtemp(join(tmpdir(), 'hl-bench-query-'));
  const db = await openStorage({ dataDir: work });
  const at = label(n);
  try {
    const manifest = { id: 'bench-query' };
    let release = await registerRelease(db, {
      id: 'bench-query',
      ecgDim,
      sharedDim: dim,
      dir: work,
      manifest,
    });
    const index = `embeddings_z_hnsw_${release.num}`;
    // Fill without the index, then build it once (registerRelease again re-creates it), as a bulk load would.
    await db.exec(`DROP INDEX ${index}`);

    const generator = new ClusteredVectors({ dim, seed: 7 });
    const vectors = new Float32Array(n * dim);
    const h = new Float32Array(ecgDim);
    const fillStart = performance.now();
    for (let start = 0; start < n; start += FILL_BATCH) {
      const rows: EmbeddingRow[] = [];
      for (let r = start; r < Math.min(n, start + FILL_BATCH); r++) {
        generator.next(vectors, r * dim);
        rows.push({
          deviceId: `q-${r % DEVICES}`,
          seq: r,
          t0: 1_764_000_000_000 + r * 10_000,
          release: release.id,
          leadMask: 0xfff,
          quality: 1,
          h,
          z: vectors.subarray(r * dim, (r + 1) * dim),
        });
      }
      await insertEmbeddings(db, rows);
      if ((start / FILL_BATCH) % Math.max(1, Math.round(n / FILL_BATCH / 10)) === 0) {
        progress(`${at}: filled ${start + rows.length} of ${n}`);
      }
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;
    progress(`${at}: filled at ${Math.round(n / fillSeconds)} rows/s; building the HNSW index`);

    await db.exec(`SET maintenance_work_mem = '1GB'`);
    const buildStart = performance.now();
    release = await registerRelease(db, { id: 'bench-query', ecgDim, sharedDim: dim, dir: work, manifest });
    const buildSeconds = (performance.now() - buildStart) / 1000;
    await db.exec('VACUUM ANALYZE embeddings');
    const size = (
      await db.query<{ db: number; table: number; index: number }>(
        `SELECT pg_database_size(current_database())::float8 AS db,
                pg_total_relation_size('embeddings')::float8 AS table,
                pg_relation_size('${index}')::float8 AS index`,
      )
    ).rows[0]!;
    progress(
      `${at}: index built in ${buildSeconds.toFixed(1)} s; database ${(size.db / 2 ** 20).toFixed(0)} MiB ` +
        `(index ${(size.index / 2 ** 20).toFixed(0)} MiB)`,
    );

    const plan = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT seq FROM embeddings WHERE release = $2
       ORDER BY z::vector(${dim}) <=> $1::vector(${dim}) LIMIT $3`,
      [`[${Array.from(vectors.subarray(0, dim)).join(',')}]`, release.id, K],
    );
    const usesIndex = plan.rows.some((r) => r['QUERY PLAN'].includes(index));
    progress(`${at}: plan ${usesIndex ? 'uses' : 'does NOT use'} ${index}`);

    // Queries: fresh draws from the same distribution (not stored vectors).
    const queries: Float32Array[] = [];
    for (let q = 0; q < QUERIES + WARM_UP; q++) {
      const v = new Float32Array(dim);
      generator.next(v);
      queries.push(v);
    }
    const truthStart = performance.now();
    const truth = queries.slice(WARM_UP).map((q) => new Set(exactTopK(vectors, n, dim, q, K)));
    progress(
      `${at}: exact top-${K} of ${QUERIES} queries by brute force in ${((performance.now() - truthStart) / 1000).toFixed(1)} s`,
    );

    const figures: BenchFigure[] = [
      { name: `${at}: fill (batched insert, no index)`, value: n / fillSeconds, unit: 'rows/s' },
      { name: `${at}: HNSW build (m 16, ef_construction 64)`, value: buildSeconds, unit: 's' },
      { name: `${at}: database size`, value: size.db / 2 ** 20, unit: 'MiB' },
      { name: `${at}: HNSW index size`, value: size.index / 2 ** 20, unit: 'MiB' },
    ];

    let tuned: { ef: number; p95: number; recall: number } | undefined;
    for (const ef of EF_SEARCH) {
      await db.exec(`SET hnsw.ef_search = ${ef}`);
      const times: number[] = [];
      let found = 0;
      for (const [q, query] of queries.entries()) {
        const start = performance.now();
        const hits = await nearestEcgs(db, release, query, K);
        const ms = performance.now() - start;
        if (q < WARM_UP) continue;
        times.push(ms);
        const exact = truth[q - WARM_UP]!;
        for (const hit of hits) if (exact.has(rowOf(hit))) found++;
      }
      times.sort((a, b) => a - b);
      const recall = found / (QUERIES * K);
      const p = { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
      progress(
        `${at}: ef_search ${ef}: p50 ${p.p50.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms, ` +
          `p99 ${p.p99.toFixed(2)} ms, recall@${K} ${recall.toFixed(3)}`,
      );
      const firstReaching = tuned === undefined && recall >= 0.95;
      const lastWithoutReaching = tuned === undefined && recall < 0.95 && ef === EF_SEARCH.at(-1);
      if (ef === 40 || firstReaching || lastWithoutReaching) {
        const which = ef === 40 ? 'default ef_search 40' : `tuned ef_search ${ef}`;
        figures.push(
          { name: `${at}: top-${K} p50, ${which}`, value: p.p50, unit: 'ms' },
          {
            name: `${at}: top-${K} p95, ${which}`,
            value: p.p95,
            unit: 'ms',
            goal: { value: 10, better: 'lower' },
          },
          { name: `${at}: top-${K} p99, ${which}`, value: p.p99, unit: 'ms' },
          {
            name: `${at}: recall@${K}, ${which}`,
            value: recall,
            unit: '',
            goal: { value: 0.95, better: 'higher' },
          },
        );
      }
      if (tuned === undefined && recall >= 0.95) tuned = { ef, p95: p.p95, recall };
    }
    await db.exec('RESET hnsw.ef_search');

    // The exact query: the same SQL with index scans off (a sequential scan and a sort).
    await db.exec('SET enable_indexscan = off');
    const exactTimes: number[] = [];
    let exactFound = 0;
    for (let q = 0; q < EXACT_QUERIES; q++) {
      const start = performance.now();
      const hits = await nearestEcgs(db, release, queries[WARM_UP + q]!, K);
      exactTimes.push(performance.now() - start);
      for (const hit of hits) if (truth[q]!.has(rowOf(hit))) exactFound++;
    }
    await db.exec('RESET enable_indexscan');
    exactTimes.sort((a, b) => a - b);
    progress(
      `${at}: exact SQL scan median ${percentile(exactTimes, 50).toFixed(0)} ms, ` +
        `agreement with brute force ${(exactFound / (EXACT_QUERIES * K)).toFixed(3)}`,
    );
    figures.push(
      {
        name: `${at}: exact SQL scan median (${EXACT_QUERIES} queries)`,
        value: percentile(exactTimes, 50),
        unit: 'ms',
      },
      {
        name: `${at}: exact SQL scan agreement with brute force`,
        value: exactFound / (EXACT_QUERIES * K),
        unit: '',
      },
    );
    if (!usesIndex) figures.push({ name: `${at}: query plan used the HNSW index`, value: 0, unit: '' });
    return figures;
  } finally {
    await db.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** `pnpm bench query`. */
export const queryBenchmark: Benchmark = {
  name: 'query',
  description:
    'top-10 nearest embeddings in PGlite + pgvector HNSW: latency, recall@10 vs exact, build time, size ' +
    '(sizes: HEARTLINE_BENCH_QUERY_SIZES, default 100000)',
  async run(progress) {
    const figures: BenchFigure[] = [];
    for (const n of sizes()) figures.push(...(await measureSize(n, progress)));
    return figures;
  },
};
