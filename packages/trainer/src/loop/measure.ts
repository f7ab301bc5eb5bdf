/** Training speed measurement: ms per pretraining step on random inputs of the configured shapes. */

import { Rng } from '@heartline/ecg';
import { type CgDmerConfig, CgDmerModel, type PretrainBatch, trainableGroups } from '@heartline/model/nn';
import { DataParallelPool } from '../parallel/pool.js';
import { Adam } from './adam.js';
import { trainStep } from './step.js';

/** What `measureStepTime` found. */
export interface StepTiming {
  /** Median wall time of one step, ms. */
  readonly msPerStep: number;
  /** Every timed step, ms (warm-up steps excluded). */
  readonly samples: readonly number[];
  /**
   * Median CPU time of the process (all threads) per step, ms: unlike wall time it hardly changes when
   * other processes compete for the cores; one thread's equals its wall time on an idle machine.
   */
  readonly cpuMsPerStep: number;
  readonly batchSize: number;
}

/** A random pretraining batch of the configured shapes (tokens fill the whole length). */
export function randomPretrainBatch(
  config: CgDmerConfig,
  batchSize: number,
  seed: number | string,
): PretrainBatch {
  const rng = new Rng(`random-batch:${seed}`);
  const ecg = new Float32Array(batchSize * config.leads * config.windowSamples);
  for (let i = 0; i < ecg.length; i++) ecg[i] = rng.normal();
  const len = config.maxTokens;
  const tokenIds = new Int32Array(batchSize * len);
  for (let i = 0; i < tokenIds.length; i++) tokenIds[i] = rng.int(0, config.vocabSize - 1);
  return {
    ecg,
    leadMask: new Uint8Array(batchSize * config.leads).fill(1),
    tokenIds,
    tokenMask: new Uint8Array(batchSize * len).fill(1),
    pairKey: Int32Array.from({ length: batchSize }, (_, i) => i),
  };
}

/** Times `steps` pretraining steps (after two warm-up steps) at `batchSize` on the active backend. */
export function measureStepTime(config: CgDmerConfig, batchSize: number, steps: number): StepTiming {
  const model = CgDmerModel.create(config, 'measure');
  const named = model.namedVariables(trainableGroups('pretrain'));
  const optimizer = new Adam(named);
  const variables = named.map(([, v]) => v);
  const batch = randomPretrainBatch(config, batchSize, 0);
  const samples: number[] = [];
  const cpu: number[] = [];
  try {
    for (let i = 0; i < steps + 2; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      trainStep(model, optimizer, variables, batch, 'pretrain', `measure:${i}`, 1e-4, 1);
      if (i >= 2) {
        samples.push(performance.now() - t0);
        cpu.push(cpuMs(c0));
      }
    }
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  return { msPerStep: middle(samples), samples, batchSize, cpuMsPerStep: middle(cpu) };
}

/** CPU time (user + system, all threads) since `start`, ms. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** The median (upper middle for an even count). */
function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Times `steps` data-parallel pretraining steps (after two warm-up steps) at `batchSize` on `workers`
 * worker threads (each its own one-thread wasm backend); worker start-up is not timed.
 */
export async function measureParallelStepTime(
  config: CgDmerConfig,
  batchSize: number,
  steps: number,
  workers = 2,
): Promise<StepTiming> {
  const model = CgDmerModel.create(config, 'measure');
  const optimizer = new Adam(model.namedVariables(trainableGroups('pretrain')));
  const batch = randomPretrainBatch(config, batchSize, 0);
  const pool = await DataParallelPool.create(model.config, workers);
  const samples: number[] = [];
  const cpu: number[] = [];
  try {
    for (let i = 0; i < steps + 2; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await pool.step(model, optimizer, batch, `measure:${i}`, 1e-4, 1);
      if (i >= 2) {
        samples.push(performance.now() - t0);
        cpu.push(cpuMs(c0));
      }
    }
  } finally {
    await pool.close();
    optimizer.dispose();
    model.dispose();
  }
  return { msPerStep: middle(samples), samples, batchSize, cpuMsPerStep: middle(cpu) };
}
