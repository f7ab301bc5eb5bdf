import { loadavg } from 'node:os';
import { DEFAULT_CONFIG } from '@heartline/model/nn';
import {
  measureParallelStepTime,
  measureStepTime,
  randomPretrainBatch,
  selectBackend,
  train,
} from '@heartline/trainer';
import type { BenchFigure, Benchmark } from './benchmark.js';

const BATCH = 32;
const STEPS = 8;
const WORKERS = 2;

/**
 * CG-DMER pretraining speed at batch 32 with the default config (240 ECG tokens, d = 64, 2 ECG + 2 text
 * layers, 64 text tokens) on the wasm backend, one thread per worker: ms per step on this thread and
 * split over two worker threads, and the peak resident memory of a short training run.
 */
export const trainStepBenchmark: Benchmark = {
  name: 'train-step',
  description: `CG-DMER pretraining step, default config, batch ${BATCH}, wasm (one thread per worker)`,
  async run(progress) {
    await selectBackend('wasm');
    // The short run goes first so the peak RSS is that of training, not of the timing loops.
    const t0 = performance.now();
    const run = await train({
      config: DEFAULT_CONFIG,
      seed: 'bench',
      mode: 'pretrain',
      nextBatch: (step) => randomPretrainBatch(DEFAULT_CONFIG, BATCH, step),
      steps: 10,
      workers: WORKERS,
    });
    run.model.dispose();
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    progress(
      `10-step run on ${WORKERS} workers: ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${peakMiB.toFixed(0)} MiB`,
    );
    const parallel = await measureParallelStepTime(DEFAULT_CONFIG, BATCH, STEPS, WORKERS);
    progress(`${WORKERS} workers: ${parallel.samples.map((s) => s.toFixed(0)).join(' ')} ms`);
    const single = measureStepTime(DEFAULT_CONFIG, BATCH, STEPS);
    progress(`one thread: ${single.samples.map((s) => s.toFixed(0)).join(' ')} ms`);
    // Other processes on the machine slow every figure: report the load the run saw.
    progress(`load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)}`);
    const figures: BenchFigure[] = [
      {
        name: `ms per step, ${WORKERS} data-parallel workers (median of ${STEPS})`,
        value: Math.round(parallel.msPerStep),
        unit: 'ms',
        goal: { value: 500, better: 'lower' },
      },
      {
        name: `ms per step, one thread (median of ${STEPS})`,
        value: Math.round(single.msPerStep),
        unit: 'ms',
      },
      {
        name: `peak RSS, 10-step training run on ${WORKERS} workers`,
        value: Math.round(peakMiB),
        unit: 'MiB',
      },
    ];
    return figures;
  },
};
