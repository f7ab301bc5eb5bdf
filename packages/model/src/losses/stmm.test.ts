import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalisePatches, stmmLoss } from './stmm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('normalisePatches', () => {
  it('gives each patch zero mean and unit variance', () => {
    // Patch [1, 3]: mean 2, variance 1 → [−1, 1]; patch [5, 5]: variance 0 → zeros.
    const out = normalisePatches(Float32Array.from([1, 3, 5, 5]), 2, 0);
    expect(out[0]).toBeCloseTo(-1, 6);
    expect(out[1]).toBeCloseTo(1, 6);
    expect(Number.isNaN(out[2])).toBe(true); // ε = 0 on a flat patch: 0/0, which is why ε defaults to 1e-6
    expect([...normalisePatches(Float32Array.from([5, 5]), 2)]).toEqual([0, 0]);
  });

  it('throws when the length is not a multiple of the patch size (tried 3 values, patch 2)', () => {
    expect(() => normalisePatches(new Float32Array(3), 2)).toThrow(/patchSize/);
  });
});

describe('stmmLoss', () => {
  it('averages the per-patch MSE over masked patches only', () => {
    // Patch 0 (masked): errors [1, 1] → 1; patch 1 (unmasked): huge error, ignored;
    // patch 2 (masked): errors [2, 0] → 2. Mean over masked = 1.5.
    const pred = tf.tensor2d([
      [1, 1],
      [100, 100],
      [2, 0],
    ]);
    const target = tf.tensor2d([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const mask = tf.tensor2d([[1], [0], [1]]);
    expect(stmmLoss(pred, target, mask).dataSync()[0]).toBeCloseTo(1.5, 6);
  });

  it('is zero when nothing is masked', () => {
    const loss = stmmLoss(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 0]]), tf.tensor2d([[0]]));
    expect(loss.dataSync()[0]).toBe(0);
  });
});
