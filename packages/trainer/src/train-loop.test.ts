import { Rng } from '@heartline/ecg';
import { CgDmerModel, CONFIG_PRESETS, type PretrainBatch, type TrainBatch } from '@heartline/model/nn';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';
import { measureStepTime } from './loop/measure.js';
import { type TrainState, train } from './train-loop.js';

const config = CONFIG_PRESETS.tiny;
const LEN = 6;

/**
 * A toy paired task: class c ∈ {0, 1, 2} is an ECG-like window whose leads oscillate at (1 + c) Hz with a
 * class-specific lead pattern plus noise, paired with a fixed token sequence per class.
 */
function toyBatch(step: number, perClass = 2): PretrainBatch {
  const rng = new Rng(`toy:${step}`);
  const b = 3 * perClass;
  const ecg = new Float32Array(b * 12 * 1000);
  const tokenIds = new Int32Array(b * LEN);
  const tokenMask = new Uint8Array(b * LEN);
  const pairKey = new Int32Array(b);
  for (let i = 0; i < b; i++) {
    const c = i % 3;
    const phase = rng.uniform(0, 2 * Math.PI);
    for (let l = 0; l < 12; l++) {
      const gain = ((l + c) % 3) - 1;
      for (let t = 0; t < 1000; t++)
        ecg[(i * 12 + l) * 1000 + t] =
          gain * Math.sin(phase + (2 * Math.PI * (1 + c) * t) / 100) + 0.1 * rng.normal();
    }
    const tokens = [1, 4 + c, 10 + c, 20 + 2 * c];
    tokens.forEach((id, k) => {
      tokenIds[i * LEN + k] = id;
      tokenMask[i * LEN + k] = 1;
    });
    pairKey[i] = c;
  }
  return { ecg, leadMask: new Uint8Array(b * 12).fill(1), tokenIds, tokenMask, pairKey };
}

function alignBatch(step: number): TrainBatch {
  const { tokenIds, tokenMask, pairKey } = toyBatch(step);
  const rng = new Rng(`align:${step}`);
  const hEcg = Float32Array.from(
    { length: pairKey.length * config.ecgDim },
    (_, k) => rng.normal() + (pairKey[Math.floor(k / config.ecgDim)] as number),
  );
  return { hEcg, tokenIds, tokenMask, pairKey };
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('train', () => {
  it('lowers the InfoNCE loss clearly on a toy paired task', { timeout: 120_000 }, async () => {
    const result = await train({
      config,
      seed: 1,
      mode: 'pretrain',
      nextBatch: (s) => toyBatch(s),
      steps: 200,
      lr: { peak: 3e-3, warmupSteps: 10 },
    });
    const first = result.stepLosses.slice(0, 10).reduce((a, l) => a + l.clip, 0) / 10;
    const last = result.stepLosses.slice(-10).reduce((a, l) => a + l.clip, 0) / 10;
    result.model.dispose();
    // With same-class pairs masked, each row starts near ln 5 ≈ 1.6 (itself + 4 other-class texts).
    expect(first).toBeGreaterThan(1);
    expect(last).toBeLessThan(first * 0.5);
  });

  it('keeps the number of live tensors flat across steps', async () => {
    const counts: number[] = [];
    const result = await train({
      config,
      seed: 2,
      mode: 'pretrain',
      nextBatch: (s) => toyBatch(s),
      steps: 8,
      stepsPerEpoch: 4,
      validation: [toyBatch(1000)],
      onProgress: () => counts.push(tf.memory().numTensors),
    });
    result.model.dispose();
    expect(counts[7]).toBe(counts[1]);
  });

  it('leaves the ECG encoder untouched in align mode while the text encoder learns', async () => {
    const result = await train({ config, seed: 3, mode: 'align', nextBatch: alignBatch, steps: 5 });
    const fresh = CgDmerModel.create(config, 3);
    const before = fresh.getWeights();
    const after = result.model.getWeights();
    fresh.dispose();
    result.model.dispose();
    const ecgNames = Object.keys(before).filter(
      (n) => n.startsWith('ecg/') || n.startsWith('decoder/') || n.startsWith('heads/'),
    );
    expect(ecgNames.length).toBeGreaterThan(10);
    for (const n of ecgNames) expect(after[n]?.values).toEqual(before[n]?.values);
    expect(after['text/block0/attention/q/w']?.values).not.toEqual(
      before['text/block0/attention/q/w']?.values,
    );
  });

  it('continues from a checkpoint with the same losses as an uninterrupted run', async () => {
    const states: TrainState[] = [];
    const common = {
      config,
      seed: 4,
      mode: 'pretrain' as const,
      nextBatch: (s: number) => toyBatch(s),
      steps: 8,
    };
    const full = await train({ ...common, checkpointEvery: 4, saveCheckpoint: (s) => void states.push(s) });
    full.model.dispose();
    expect(states.map((s) => s.step)).toEqual([4, 8]);
    const resumed = await train({ ...common, resume: states[0] as TrainState });
    resumed.model.dispose();
    expect(resumed.stepLosses).toEqual(full.stepLosses.slice(4));
  });

  it('stops early when validation stops improving and reports every epoch', async () => {
    const records: number[] = [];
    const result = await train({
      config,
      seed: 5,
      mode: 'pretrain',
      nextBatch: (s) => toyBatch(s),
      steps: 20,
      stepsPerEpoch: 2,
      lr: { peak: 0, minLr: 0 }, // frozen weights: validation never improves after the first epoch
      validation: [toyBatch(999)],
      patience: 2,
      onMetrics: (r) => records.push(r.epoch),
    });
    result.model.dispose();
    expect(result.stoppedBy).toBe('early-stop');
    expect(records).toEqual([1, 2, 3]);
  });

  it('stops at once when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await train({
      config,
      seed: 6,
      mode: 'pretrain',
      nextBatch: (s) => toyBatch(s),
      steps: 5,
      signal: controller.signal,
    });
    result.model.dispose();
    expect(result.stoppedBy).toBe('aborted');
    expect(result.stepLosses).toHaveLength(0);
  });
});

describe('measureStepTime', () => {
  it('times the requested number of steps', () => {
    const timing = measureStepTime(config, 4, 2);
    expect(timing.samples).toHaveLength(2);
    expect(timing.msPerStep).toBeGreaterThan(0);
  });
});
