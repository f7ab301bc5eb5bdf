/**
 * Top-10 search over stored device embeddings as the cloud runs it on PGlite: the database holds the
 * rows (no vector index in it), the in-process vector index (usearch HNSW in a worker thread, see
 * apps/cloud/src/vector-index/) follows the table, and `nearestEcgs` asks the index for candidates and
 * reads their rows from the database. At 100k stored vectors by default and at the sizes listed in
 * `HEARTLINE_BENCH_QUERY_SIZES` (e.g. `100000,1000000`). For each size: fill the database with clustered
 * synthetic unit vectors of the release's shared dimension (see clustered-vectors.ts), open the index
 * (reading every row from the database, then building the graph on the worker's core: both timed),
 * time single-client queries and measure recall@10 against an exact brute-force search over the same
 * vectors; then write the index's snapshot and reopen it (a restart); then insert more rows while the
 * index follows them (time until stored, time until in the graph). The snapshot is reopened once per
 * search candidate-list size in `HEARTLINE_BENCH_ANN_EF` (default `64,128,256`; the cloud's default is
 * DEFAULT_ANN_SETTINGS.expansionSearch) to time queries and recall at each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_ANN_SETTINGS,
  EcgVectorIndex,
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
const FILL_BATCH = 5000;
/** Rows inserted after the index is built, in INSERT_BATCH-row statements, while the index follows. */
const TAIL = 20_000;
const INSERT_BATCH = 1000;
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

async function untilIndexed(index: EcgVectorIndex, rows: number, progress: (m: string) => void, at: string) {
  let last = 0;
  for (;;) {
    const stats = await index.stats();
    const indexed = stats.reduce((sum, s) => sum + s.indexed, 0);
    const pending = stats.reduce((sum, s) => sum + s.pending, 0);
    if (pending === 0 && indexed + pending >= rows) return;
    if (performance.now() - last > 15_000) {
      progress(`${at}: ${indexed} in the graph, ${pending} waiting`);
      last = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measureSize(n: number, progress: (message: string) => void): Promise<BenchFigure[]> {
  const dim = DEFAULT_CONFIG.sharedDim;
  const ecgDim = DEFAULT_CONFIG.ecgDim;
  const work = await mkdtemp(join(tmpdir(), 'hl-bench-query-'));
  const db = await openStorage({ dataDir: work });
  const at = label(n);
  const settings = DEFAULT_ANN_SETTINGS;
  const efList = (process.env.HEARTLINE_BENCH_ANN_EF ?? '64,128,256').split(',').map(Number);
  const indexDir = join(work, 'vector-index');
  let index: EcgVectorIndex | undefined;
  try {
    const release = await registerRelease(db, {
      id: 'bench-query',
      ecgDim,
      sharedDim: dim,
      dir: work,
      manifest: { id: 'bench-query' },
    });
    const generator = new ClusteredVectors({ dim, seed: 7 });
    // Rows [0, n) are searched; [n, n + TAIL) time inserts the index follows.
    const vectors = new Float32Array((n + TAIL) * dim);
    const h = new Float32Array(ecgDim);
    const rowsOf = (first: number, last: number): EmbeddingRow[] => {
      const rows: EmbeddingRow[] = [];
      for (let r = first; r < last; r++) {
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
      return rows;
    };
    const fillStart = performance.now();
    for (let first = 0; first < n; first += FILL_BATCH) {
      await insertEmbeddings(db, rowsOf(first, Math.min(n, first + FILL_BATCH)));
      if ((first / FILL_BATCH) % Math.max(1, Math.round(n / FILL_BATCH / 10)) === 0) {
        progress(`${at}: filled ${Math.min(n, first + FILL_BATCH)} of ${n}`);
      }
    }
    const fillRate = n / ((performance.now() - fillStart) / 1000);
    progress(`${at}: filled at ${Math.round(fillRate)} rows/s; opening the vector index`);

    const openStart = performance.now();
    index = await EcgVectorIndex.open({ db, dir: indexDir, settings, snapshotEveryMs: 0 });
    await index.whenReady();
    const readSeconds = (performance.now() - openStart) / 1000;
    progress(
      `${at}: ${n} rows read from the database and searchable in ${readSeconds.toFixed(1)} s; building`,
    );
    await untilIndexed(index, n, progress, at);
    const buildSeconds = (performance.now() - openStart) / 1000;
    progress(`${at}: graph built in ${buildSeconds.toFixed(1)} s from opening`);

    // Queries: fresh draws from the same distribution (not stored vectors).
    const queries: Float32Array[] = [];
    const queryGenerator = new ClusteredVectors({ dim, seed: 7 });
    for (let r = 0; r < n + TAIL; r++) queryGenerator.next(new Float32Array(dim)); // skip the stored ones
    for (let q = 0; q < QUERIES + WARM_UP; q++) {
      const v = new Float32Array(dim);
      queryGenerator.next(v);
      queries.push(v);
    }
    const truthStart = performance.now();
    const truth = queries.slice(WARM_UP).map((q) => new Set(exactTopK(vectors, n, dim, q, K)));
    progress(
      `${at}: exact top-${K} of ${QUERIES} queries by brute force in ${((performance.now() - truthStart) / 1000).toFixed(1)} s`,
    );

    const timeQueries = async (ecgIndex: EcgVectorIndex, setting: string) => {
      const times: number[] = [];
      let found = 0;
      for (const [q, query] of queries.entries()) {
        const start = performance.now();
        const hits = await nearestEcgs({ db, ecgIndex }, release, query, K);
        const ms = performance.now() - start;
        if (q < WARM_UP) continue;
        times.push(ms);
        const exact = truth[q - WARM_UP]!;
        for (const hit of hits) if (exact.has(hit.seq)) found++;
      }
      times.sort((a, b) => a - b);
      const p = {
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
        recall: found / (QUERIES * K),
      };
      progress(
        `${at}: ${setting}: p50 ${p.p50.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms, ` +
          `p99 ${p.p99.toFixed(2)} ms, recall@${K} ${p.recall.toFixed(3)}`,
      );
      return p;
    };
    const p = await timeQueries(index, `in-process index as built (ef ${settings.expansionSearch})`);

    // A restart: snapshot at close, reopened from it, once per candidate-list size.
    const saveStart = performance.now();
    await index.close();
    const saveSeconds = (performance.now() - saveStart) / 1000;
    const perEf: BenchFigure[] = [];
    let reopenSeconds = 0;
    for (const ef of efList) {
      const reopenStart = performance.now();
      index = await EcgVectorIndex.open({
        db,
        dir: indexDir,
        settings: { ...settings, expansionSearch: ef },
        snapshotEveryMs: 0,
      });
      await index.whenReady();
      reopenSeconds = (performance.now() - reopenStart) / 1000;
      const q = await timeQueries(index, `reopened from the snapshot, ef ${ef}`);
      perEf.push(
        { name: `${at}: ef ${ef}: top-${K} p50`, value: q.p50, unit: 'ms' },
        {
          name: `${at}: ef ${ef}: top-${K} p95`,
          value: q.p95,
          unit: 'ms',
          goal: { value: 10, better: 'lower' },
        },
        { name: `${at}: ef ${ef}: top-${K} p99`, value: q.p99, unit: 'ms' },
        {
          name: `${at}: ef ${ef}: recall@${K}`,
          value: q.recall,
          unit: '',
          goal: { value: 0.95, better: 'higher' },
        },
      );
      if (ef !== efList.at(-1)) await index.close();
    }
    progress(
      `${at}: snapshot written in ${saveSeconds.toFixed(1)} s, reopened in ${reopenSeconds.toFixed(1)} s`,
    );

    // Inserts while the index follows: stored, then searchable (tail), then in the graph.
    const insertStart = performance.now();
    for (let first = n; first < n + TAIL; first += INSERT_BATCH) {
      await insertEmbeddings(db, rowsOf(first, first + INSERT_BATCH));
      await index.follow();
    }
    const insertRate = TAIL / ((performance.now() - insertStart) / 1000);
    await untilIndexed(index, n + TAIL, progress, at);
    const graphRate = TAIL / ((performance.now() - insertStart) / 1000);
    progress(
      `${at}: ${TAIL} more rows stored and searchable at ${Math.round(insertRate)} rows/s, ` +
        `in the graph at ${Math.round(graphRate)} rows/s`,
    );

    return [
      {
        name: `${at}: fill (batched insert, no vector index in the database)`,
        value: fillRate,
        unit: 'rows/s',
      },
      { name: `${at}: index open: every row read from the database`, value: readSeconds, unit: 's' },
      {
        name: `${at}: index open: graph built (m ${settings.connectivity}, ef_construction ${settings.expansionAdd})`,
        value: buildSeconds,
        unit: 's',
      },
      { name: `${at}: as built: top-${K} p95 (ef ${settings.expansionSearch})`, value: p.p95, unit: 'ms' },
      { name: `${at}: as built: recall@${K}`, value: p.recall, unit: '' },
      { name: `${at}: snapshot write`, value: saveSeconds, unit: 's' },
      { name: `${at}: reopen from the snapshot`, value: reopenSeconds, unit: 's' },
      ...perEf,
      { name: `${at}: insert + follow (stored and searchable)`, value: insertRate, unit: 'rows/s' },
      { name: `${at}: insert until in the graph`, value: graphRate, unit: 'rows/s' },
    ];
  } finally {
    await index?.close();
    await db.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** `pnpm bench query`. */
export const queryBenchmark: Benchmark = {
  name: 'query',
  description:
    'top-10 nearest embeddings through the in-process vector index beside PGlite: latency, recall@10 vs ' +
    'exact, build and restart times (sizes: HEARTLINE_BENCH_QUERY_SIZES, default 100000)',
  async run(progress) {
    const figures: BenchFigure[] = [];
    for (const n of sizes()) figures.push(...(await measureSize(n, progress)));
    return figures;
  },
};
