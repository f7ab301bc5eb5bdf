import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { sigmoidCrossEntropy } from './sigmoid-cross-entropy.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** BCE of one logit in float64, the textbook way (fine for moderate logits). */
function reference(x: number, y: number): number {
  const p = 1 / (1 + Math.exp(-x));
  return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
}

describe('sigmoidCrossEntropy', () => {
  it('is the mean binary cross-entropy, with gradient (σ(x) − y) / n', () => {
    const x = [-3, -0.5, 0, 0.7, 2.5, 4];
    const y = [0, 1, 1, 0, 1, 0];
    const logits = tf.variable(tf.tensor2d(x, [2, 3]));
    const targets = tf.tensor2d(y, [2, 3]);
    const { value, grads } = tf.variableGrads(() => sigmoidCrossEntropy(logits, targets), [logits]);
    const expected = x.reduce((s, xi, i) => s + reference(xi, y[i]!), 0) / x.length;
    expect(value.dataSync()[0]).toBeCloseTo(expected, 5);
    const g = (grads[logits.name] as tf.Tensor).dataSync();
    x.forEach((xi, i) => {
      expect(g[i]).toBeCloseTo((1 / (1 + Math.exp(-xi)) - y[i]!) / x.length, 6);
    });
    tf.dispose([value, targets, logits, ...Object.values(grads)]);
  });

  it('stays finite for extreme logits (where log σ underflows)', () => {
    const loss = tf.tidy(() => sigmoidCrossEntropy(tf.tensor2d([[200, -200]]), tf.tensor2d([[0, 1]])));
    // Each element costs |x| = 200 nats; the naive log(σ) form gives Infinity.
    expect(loss.dataSync()[0]).toBeCloseTo(200, 3);
    loss.dispose();
  });

  it('rejects targets of another shape', () => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    const targets = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => sigmoidCrossEntropy(logits, targets)).toThrow(/must match/);
    tf.dispose([logits, targets]);
  });
});
