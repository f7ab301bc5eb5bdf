/**
 * Top-10 search over stored device embeddings: PGlite + pgvector through the cloud's storage layer and
 * its `nearestEcgs` query, at 100k stored vectors by default and at the sizes listed in
 * `HEARTLINE_BENCH_QUERY_SIZES` (e.g. `100000,1000000`). For each size: fill the database with clustered
 * synthetic unit vectors of the release's shared dimension (see clustered-vectors.ts), build the
 * release's HNSW index (timed), then time single-client queries at several `hnsw.ef_search` values and
 * measure recall@10 against an exact brute-force search over the same vectors. The exact SQL scan (the
 * same query with index scans off) is timed on a few queries and checked against the brute force. The
 * last 5,000 rows are inserted after the build, timing inserts that maintain the index. With
 * `HEARTLINE_BENCH_QUERY_IVFFLAT=1` the HNSW index is then replaced by IVFFlat (lists √n) to compare
 * build time, latency and recall over several probes, and insert cost with IVFFlat and with no index.
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
/** Rows inserted (in INSERT_BATCH-row statements) to time index maintenance at the full size. */
const TAIL = 5000;
const INSERT_BATCH = 1000;
/** IVFFlat probes tried when HEARTLINE_BENCH_QUERY_IVFFLAT=1. */
const PROBES = [1, 4, 10, 20];
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
    // Rows [0, n) are searched; [n, n + 2 TAIL) only time inserts under the alternative indexes.
    const vectors = new Float32Array((n + 2 * TAIL) * dim);
    const h = new Float32Array(ecgDim);
    /** Draws and stores rows [from, to) in `batch`-row statements; returns ms per 1,000 rows. */
    const insertRange = async (from: number, to: number, batch: number, report = false): Promise<number> => {
      const start = performance.now();
      for (let first = from; first < to; first += batch) {
        const rows: EmbeddingRow[] = [];
        for (let r = first; r < Math.min(to, first + batch); r++) {
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
        if (report && ((first - from) / batch) % Math.max(1, Math.round((to - from) / batch / 10)) === 0) {
          progress(`${at}: filled ${first + rows.length} of ${n}`);
        }
      }
      return ((performance.now() - start) / (to - from)) * 1000;
    };
    // The last TAIL rows go in after the index is built, timing inserts that maintain it.
    const fillMsPer1k = await insertRange(0, n - TAIL, FILL_BATCH, true);
    progress(`${at}: filled at ${Math.round(1e6 / fillMsPer1k)} rows/s; building the HNSW index`);

    await db.exec(`SET maintenance_work_mem = '1GB'`);
    const buildStart = performance.now();
    release = await registerRelease(db, { id: 'bench-query', ecgDim, sharedDim: dim, dir: work, manifest });
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const hnswInsertMsPer1k = await insertRange(n - TAIL, n, INSERT_BATCH);
    progress(
      `${at}: HNSW built in ${buildSeconds.toFixed(1)} s; then ${TAIL} inserts maintaining it: ${hnswInsertMsPer1k.toFixed(0)} ms per 1,000`,
    );
    await db.exec('VACUUM ANALYZE embeddings');
    const size = (
      await db.query<{ db: number; table: number; index: number }>(
        `SELECT pg_database_size(current_database())::float8 AS db,
                pg_total_relation_size('embeddings')::float8 AS table,
                pg_relation_size('${index}')::float8 AS index`,
      )
    ).rows[0]!;
    progress(
      `${at}: database ${(size.db / 2 ** 20).toFixed(0)} MiB ` +
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
      { name: `${at}: fill (batched insert, no index)`, value: 1e6 / fillMsPer1k, unit: 'rows/s' },
      {
        name: `${at}: HNSW build over ${label(n - TAIL)} rows (m 16, ef_construction 64)`,
        value: buildSeconds,
        unit: 's',
      },
      {
        name: `${at}: INSERT with the HNSW index maintained, ${INSERT_BATCH}-row batches, per 1,000`,
        value: hnswInsertMsPer1k,
        unit: 'ms',
      },
      { name: `${at}: database size`, value: size.db / 2 ** 20, unit: 'MiB' },
      { name: `${at}: HNSW index size`, value: size.index / 2 ** 20, unit: 'MiB' },
    ];

    /** Runs every query through `nearestEcgs`: latency percentiles (after warm-up) and recall@K. */
    const timeQueries = async (setting: string) => {
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
      const p = {
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
        recall,
      };
      progress(
        `${at}: ${setting}: p50 ${p.p50.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms, ` +
          `p99 ${p.p99.toFixed(2)} ms, recall@${K} ${recall.toFixed(3)}`,
      );
      return p;
    };

    /** IVFFlat instead of HNSW: build time, queries over a probes ladder, insert cost; then no index. */
    const measureIvfflat = async (): Promise<BenchFigure[]> => {
      const lists = Math.round(Math.sqrt(n));
      await db.exec(`DROP INDEX ${index}`);
      const start = performance.now();
      await db.exec(
        `CREATE INDEX bench_ivfflat ON embeddings USING ivfflat ((z::vector(${dim})) vector_cosine_ops)
         WITH (lists = ${lists}) WHERE release = 'bench-query'`,
      );
      const seconds = (performance.now() - start) / 1000;
      progress(`${at}: IVFFlat (lists ${lists}) built in ${seconds.toFixed(1)} s`);
      const out: BenchFigure[] = [
        { name: `${at}: IVFFlat build (lists ${lists})`, value: seconds, unit: 's' },
      ];
      for (const probes of PROBES) {
        await db.exec(`SET ivfflat.probes = ${probes}`);
        const p = await timeQueries(`IVFFlat probes ${probes}`);
        out.push(
          { name: `${at}: IVFFlat probes ${probes}: top-${K} p95`, value: p.p95, unit: 'ms' },
          { name: `${at}: IVFFlat probes ${probes}: recall@${K}`, value: p.recall, unit: '' },
        );
      }
      await db.exec('RESET ivfflat.probes');
      const ivfInsert = await insertRange(n, n + TAIL, INSERT_BATCH);
      await db.exec('DROP INDEX bench_ivfflat');
      const noIndexInsert = await insertRange(n + TAIL, n + 2 * TAIL, INSERT_BATCH);
      progress(
        `${at}: INSERT per 1,000 with IVFFlat ${ivfInsert.toFixed(0)} ms, without an index ${noIndexInsert.toFixed(0)} ms`,
      );
      out.push(
        { name: `${at}: INSERT with IVFFlat maintained, per 1,000`, value: ivfInsert, unit: 'ms' },
        { name: `${at}: INSERT without a vector index, per 1,000`, value: noIndexInsert, unit: 'ms' },
      );
      return out;
    };

    let tuned: { ef: number; p95: number; recall: number } | undefined;
    for (const ef of EF_SEARCH) {
      await db.exec(`SET hnsw.ef_search = ${ef}`);
      const p = await timeQueries(`ef_search ${ef}`);
      const recall = p.recall;
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
    if (process.env.HEARTLINE_BENCH_QUERY_IVFFLAT === '1') figures.push(...(await measureIvfflat()));
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
