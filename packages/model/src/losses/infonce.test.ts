import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { infoNce, sameKeyMask } from './infonce.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function loss(e: number[][], t: number[][], scale: number, keys: number[]): number {
  const out = infoNce(tf.tensor2d(e), tf.tensor2d(t), tf.scalar(scale), Int32Array.from(keys));
  return out.dataSync()[0] as number;
}

describe('infoNce', () => {
  it('equals log(1 + e^-1) for two matched orthogonal pairs at scale 1', () => {
    // logits = I: each row's CE = −log(e / (e + 1)) = log(1 + e^−1); rows and columns agree.
    expect(
      loss(
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        1,
        [0, 1],
      ),
    ).toBeCloseTo(Math.log(1 + Math.exp(-1)), 5);
  });

  it('equals log(1 + e) when every pair is swapped', () => {
    expect(
      loss(
        [
          [1, 0],
          [0, 1],
        ],
        [
          [0, 1],
          [1, 0],
        ],
        1,
        [0, 1],
      ),
    ).toBeCloseTo(Math.log(1 + Math.E), 5);
  });

  it('scales the logits by the temperature factor', () => {
    // scale 10: CE = log(1 + e^−10).
    expect(
      loss(
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        10,
        [0, 1],
      ),
    ).toBeCloseTo(Math.log(1 + Math.exp(-10)), 6);
  });

  it('does not treat pairs with the same report text as negatives', () => {
    // Keys [7, 7]: the only negative of each row is masked out, so each softmax has one entry: loss 0,
    // even though the texts are swapped.
    expect(
      loss(
        [
          [1, 0],
          [0, 1],
        ],
        [
          [0, 1],
          [1, 0],
        ],
        1,
        [7, 7],
      ),
    ).toBeCloseTo(0, 6);
    // Three pairs, keys [1, 1, 2]: rows 0 and 1 see only pair 2 as a negative.
    // zE = zT = I₃ at scale 1: rows 0, 1: log(1 + e^−1); row 2: log(1 + 2e^−1); columns are symmetric.
    const expected = (2 * Math.log(1 + Math.exp(-1)) + Math.log(1 + 2 * Math.exp(-1))) / 3;
    const eye = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    expect(loss(eye, eye, 1, [1, 1, 2])).toBeCloseTo(expected, 5);
  });

  it('throws when pairKey does not match the batch (tried 3 keys for 2 pairs)', () => {
    expect(() =>
      loss(
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        1,
        [0, 1, 2],
      ),
    ).toThrow(/pairKey/);
  });
});

describe('sameKeyMask', () => {
  it('masks exactly the off-diagonal entries with equal keys', () => {
    expect([...sameKeyMask(Int32Array.from([3, 4, 3]))]).toEqual(
      [0, 0, -1e9, 0, 0, 0, -1e9, 0, 0].map(Math.fround),
    );
  });
});
