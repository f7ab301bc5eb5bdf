import { type CgDmerConfig, CgDmerModel, CONFIG_PRESETS, trainableGroups } from '@heartline/model/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { Adam } from '../loop/adam.js';
import { randomPretrainBatch } from '../loop/measure.js';
import { type LossValues, trainStep } from '../loop/step.js';
import { train } from '../train-loop.js';
import { DataParallelPool } from './pool.js';

const config = CONFIG_PRESETS.tiny;

/** An Adam that keeps a copy of the gradients of its last update (before clipping). */
class RecordingAdam extends Adam {
  last = new Map<string, Float32Array>();

  override applyArrays(grads: ReadonlyMap<string, Float32Array>, lr: number, gradScale = 1): void {
    this.last = new Map([...grads].map(([name, g]) => [name, g.slice()]));
    super.applyArrays(grads, lr, gradScale);
  }
}

/** The gradients of one step from fresh weights, on this thread or through the pool. */
async function oneStepGradients(
  c: CgDmerConfig,
  pool?: DataParallelPool,
): Promise<{ losses: LossValues; grads: Map<string, Float32Array> }> {
  const model = CgDmerModel.create(c, 'grad-test');
  const named = model.namedVariables(trainableGroups('pretrain'));
  const adam = new RecordingAdam(named);
  const batch = randomPretrainBatch(c, 7, 'grad-test');
  const variables = named.map(([, v]) => v);
  const losses = pool
    ? await pool.step(model, adam, batch, 'mask', 1e-3, 1)
    : trainStep(model, adam, variables, batch, 'pretrain', 'mask', 1e-3, 1);
  adam.dispose();
  model.dispose();
  return { losses, grads: adam.last };
}

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Three steps on the same batch from the same seed, on this thread or split over two workers. */
async function threeSteps(pool?: DataParallelPool): Promise<{ losses: LossValues[]; weights: Float32Array }> {
  const model = CgDmerModel.create(config, 'pool-test');
  const named = model.namedVariables(trainableGroups('pretrain'));
  const adam = new Adam(named);
  const batch = randomPretrainBatch(config, 7, 'pool-test');
  const losses: LossValues[] = [];
  for (let s = 0; s < 3; s++) {
    losses.push(
      pool
        ? await pool.step(model, adam, batch, `mask:${s}`, 1e-3, 1)
        : trainStep(
            model,
            adam,
            named.map(([, v]) => v),
            batch,
            'pretrain',
            `mask:${s}`,
            1e-3,
            1,
          ),
    );
  }
  const weights = Float32Array.from(Object.values(model.getWeights()).flatMap((w) => Array.from(w.values)));
  adam.dispose();
  model.dispose();
  return { losses, weights };
}

describe('DataParallelPool', () => {
  it('gives the one-thread loss and gradient of every weight, with and without the disentanglement term', {
    timeout: 60_000,
  }, async () => {
    for (const c of [config, { ...config, lambdaDis: 0 }]) {
      const single = await oneStepGradients(c);
      const pool = await DataParallelPool.create(c, 2);
      try {
        const split = await oneStepGradients(c, pool);
        for (const k of ['total', 'clip', 'stmm', 'dis'] as const)
          expect(Math.abs(split.losses[k] - single.losses[k])).toBeLessThan(1e-5 * (1 + single.losses[k]));
        expect([...split.grads.keys()].sort()).toEqual([...single.grads.keys()].sort());
        // Only the order of float32 sums differs (the batch split 3 + 4, the workers' sum).
        for (const [name, g] of single.grads) {
          const p = split.grads.get(name) as Float32Array;
          let scale = 0;
          let worst = 0;
          g.forEach((x, i) => {
            scale = Math.max(scale, Math.abs(x));
            worst = Math.max(worst, Math.abs(x - (p[i] as number)));
          });
          expect(worst, name).toBeLessThanOrEqual(1e-4 * scale + 1e-7);
        }
      } finally {
        await pool.close();
      }
    }
  });

  it('computes the whole-batch losses of a 7-window batch split 3 + 4 over two workers', {
    timeout: 60_000,
  }, async () => {
    const single = await threeSteps();
    const pool = await DataParallelPool.create(config, 2);
    try {
      const a = await threeSteps(pool);
      const b = await threeSteps(pool);
      // Step 1 runs on identical weights: only the order of float sums differs from one thread.
      for (const k of ['total', 'clip', 'stmm', 'dis'] as const)
        expect(a.losses[0]?.[k]).toBeCloseTo(single.losses[0]?.[k] as number, 5);
      // Later steps follow the same trajectory (Adam moves every weight by ≤ lr = 1e-3 per step).
      expect(a.losses[2]?.total).toBeCloseTo(single.losses[2]?.total as number, 3);
      let worst = 0;
      a.weights.forEach((w, i) => {
        worst = Math.max(worst, Math.abs(w - (single.weights[i] as number)));
      });
      expect(worst).toBeLessThan(2e-3);
      // Deterministic: the same run through the pool again gives the same bits.
      expect(b.losses).toEqual(a.losses);
      expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
    } finally {
      await pool.close();
    }
  });

  it('rejects a worker count below 2 (tried 1)', async () => {
    await expect(DataParallelPool.create(config, 1)).rejects.toThrow(/workers = 1/);
  });

  it('rejects a batch whose ECG has 11 leads instead of 12, before any worker sees it', {
    timeout: 30_000,
  }, async () => {
    const model = CgDmerModel.create(config, 'bad');
    const adam = new Adam(model.namedVariables(trainableGroups('pretrain')));
    const good = randomPretrainBatch(config, 4, 'bad');
    const bad = { ...good, ecg: good.ecg.subarray(0, 4 * 11 * config.windowSamples) };
    const pool = await DataParallelPool.create(config, 2);
    try {
      await expect(pool.step(model, adam, bad, 'm', 1e-3, 1)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      // The pool still works after the rejected batch.
      expect((await pool.step(model, adam, good, 'm', 1e-3, 1)).total).toBeGreaterThan(0);
    } finally {
      await pool.close();
      adam.dispose();
      model.dispose();
    }
  });

  it('makes train({ workers: 2 }) deterministic and close to one thread over 4 steps', {
    timeout: 60_000,
  }, async () => {
    const run = async (workers: number) => {
      const r = await train({
        config,
        seed: 5,
        mode: 'pretrain',
        nextBatch: (s) => randomPretrainBatch(config, 6, `train:${s}`),
        steps: 4,
        workers,
      });
      r.model.dispose();
      return r.stepLosses.map((l) => l.total);
    };
    const one = await run(1);
    const a = await run(2);
    expect(await run(2)).toEqual(a);
    a.forEach((loss, i) => {
      expect(loss).toBeCloseTo(one[i] as number, 3);
    });
  });
});
