import { fork } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildShardCache, ptbxlFolderSources, type RecordSource } from '@heartline/trainer';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { ensureSyntheticArchive } from './synth-archive.js';

const env = process.env;
/** Records of the large run; HEARTLINE_BENCH_RECORDS overrides (e.g. for a quick look). */
const RECORDS = Number(env.HEARTLINE_BENCH_RECORDS ?? 50_000);
/** Records of the small run, to show that peak memory does not follow the record count. */
const SMALL = Math.min(5_000, RECORDS);
const PART = 1_000;
const STEPS = Number(env.HEARTLINE_BENCH_STEPS ?? 300);
const PRESET = env.HEARTLINE_BENCH_PRESET ?? 'tiny';
const WORKERS = 2;

interface TrainFigures {
  readonly examples: number;
  readonly seconds: number;
  readonly shardReads: number;
  readonly finalLoss: number;
  readonly maxRssMiB: number;
  readonly vmHwmMiB?: number;
}

/** Trains in a child process (bench/dataset-scale-train.ts) and returns the JSON line it prints. */
function trainInChild(cacheDir: string): Promise<TrainFigures> {
  const loader = new URL('../scripts/dev/register-tsx.mjs', import.meta.url).href;
  const child = fork(
    fileURLToPath(new URL('./dataset-scale-train.ts', import.meta.url)),
    [cacheDir, String(STEPS), PRESET],
    { execArgv: ['--import', loader, '--conditions=source'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as TrainFigures);
      else reject(new Error(`training process exited with code ${code}: ${out.slice(-500)}`));
    });
  });
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

/**
 * Training from a shard cache at two archive sizes: a synthetic archive (PTB-XL layout, 100 Hz) of
 * `RECORDS` records is generated once (kept in HEARTLINE_BENCH_ARCHIVE, or a temp folder, for reruns),
 * the first 5,000 and then all records are preprocessed into fresh caches in worker threads (records/s),
 * and each cache feeds a `STEPS`-step pretraining run in a child process whose peak RSS is reported.
 */
export const datasetScaleBenchmark: Benchmark = {
  name: 'dataset-scale',
  description: `shard cache: preprocess ${RECORDS} synthetic records, train ${STEPS} steps (${PRESET}), peak RSS`,
  async run(progress) {
    const archiveDir = env.HEARTLINE_BENCH_ARCHIVE ?? join(tmpdir(), 'heartline-bench-archive');
    const archive = await ensureSyntheticArchive(archiveDir, RECORDS, PART, progress);
    const figures: BenchFigure[] = [];
    if (archive.generated > 0) {
      const rate = archive.generated / archive.seconds;
      progress(
        `archive: ${archive.generated} records in ${archive.seconds.toFixed(0)} s (${rate.toFixed(0)}/s)`,
      );
      figures.push({
        name: 'synthetic archive generation (2 worker threads)',
        value: Math.round(rate),
        unit: 'records/s',
      });
    } else progress(`archive: reusing ${RECORDS} records in ${archiveDir}`);

    const sources: RecordSource[] = [];
    for (const part of archive.parts)
      sources.push(...(await ptbxlFolderSources(part, { source: 'synthetic' })));
    const work = await mkdtemp(join(tmpdir(), 'heartline-dataset-scale-'));
    try {
      for (const n of SMALL === RECORDS ? [RECORDS] : [SMALL, RECORDS]) {
        const cacheDir = join(work, `cache-${n}`);
        const t0 = performance.now();
        let reported = 0;
        const built = await buildShardCache(cacheDir, sources.slice(0, n), {
          workers: WORKERS,
          onProgress: (done, total) => {
            if (done - reported >= total / 10 || done === total) {
              reported = done;
              progress(`preprocess ${n}: ${done}/${total}`);
            }
          },
        });
        const seconds = (performance.now() - t0) / 1000;
        const bytes = await folderBytes(cacheDir);
        progress(
          `preprocess ${n}: ${built.examples} examples in ${built.manifest.shardCount} shards, ${(bytes / 2 ** 20).toFixed(0)} MiB, ${seconds.toFixed(1)} s`,
        );
        figures.push({
          name: `preprocess ${n} records into the shard cache (${WORKERS} worker threads)`,
          value: Math.round(n / seconds),
          unit: 'records/s',
        });
        const trained = await trainInChild(cacheDir);
        progress(
          `train ${n}: ${STEPS} steps in ${trained.seconds.toFixed(0)} s, ${trained.shardReads} shard reads, final loss ${trained.finalLoss.toFixed(3)}, maxRSS ${trained.maxRssMiB.toFixed(0)} MiB, VmHWM ${trained.vmHwmMiB?.toFixed(0) ?? '?'} MiB`,
        );
        figures.push({
          name: `peak RSS, ${STEPS}-step ${PRESET} training from a ${n}-record cache`,
          value: Math.round(trained.maxRssMiB),
          unit: 'MiB',
          goal: { value: 2048, better: 'lower' },
        });
        figures.push({
          name: `ms per step, ${PRESET}, batch 32, one thread (${n}-record cache)`,
          value: Math.round((trained.seconds * 1000) / STEPS),
          unit: 'ms',
        });
        await rm(cacheDir, { recursive: true, force: true });
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    progress(`load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)}`);
    return figures;
  },
};
