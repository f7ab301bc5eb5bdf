import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disentangleLoss } from './disentangle.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (s: number[][], z: number[][]) =>
  disentangleLoss(tf.tensor2d(s), tf.tensor2d(z)).dataSync()[0] as number;

describe('disentangleLoss', () => {
  it('is 1 when the specific feature is a scaled copy of the shared one', () => {
    expect(value([[1], [2], [3], [4]], [[2], [4], [6], [8]])).toBeCloseTo(1, 4);
  });

  it('is 0 for uncorrelated features', () => {
    // [1, −1, 1, −1] and [1, 1, −1, −1] have zero covariance.
    expect(value([[1], [-1], [1], [-1]], [[1], [1], [-1], [-1]])).toBeCloseTo(0, 6);
  });

  it('averages squared correlations over all feature pairs', () => {
    // s correlates 1 with z's first feature (negatively) and 0 with its second: mean(1, 0) = 0.5.
    expect(
      value(
        [[1], [-1], [1], [-1]],
        [
          [-1, 1],
          [1, 1],
          [-1, -1],
          [1, -1],
        ],
      ),
    ).toBeCloseTo(0.5, 4);
  });

  it('throws on a batch of one (tried B = 1)', () => {
    expect(() => value([[1]], [[1]])).toThrow(/batch/);
  });
});
