import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from './gradients.js';
import { linear } from './ops.js';
import { attentionResidual, createAttention } from './transformer.js';
import { WeightStore } from './weights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

/** Central finite differences of f at each element of v (float64-ish step on float32 values). */
function numericGrad(f: () => tf.Scalar, v: tf.Variable): Float32Array {
  const base = v.dataSync().slice();
  const out = new Float32Array(base.length);
  const h = 1e-2;
  for (let i = 0; i < base.length; i++) {
    const plus = base.slice();
    plus[i] = (plus[i] as number) + h;
    v.assign(tf.tensor(plus, v.shape));
    const fp = tf.tidy(f).dataSync()[0] as number;
    const minus = base.slice();
    minus[i] = (minus[i] as number) - h;
    v.assign(tf.tensor(minus, v.shape));
    const fm = tf.tidy(f).dataSync()[0] as number;
    out[i] = (fp - fm) / (2 * h);
  }
  v.assign(tf.tensor(base, v.shape));
  return out;
}

describe('registered gradients', () => {
  it('match finite differences through an attention block with a bias mask', () => {
    const store = new WeightStore(3);
    const w = createAttention(store, 'ecg/test', 4);
    const x = tf.randomNormal([2 * 3 * 2, 4], 0, 1, 'float32', 5) as tf.Tensor2D;
    const bias = { tensor: tf.tensor3d([[[0, -1e9, 0]], [[0, 0, 0]]]), shape: [2, 2 * 2 * 3, 3] };
    const f = () =>
      tf.tidy(() => {
        const y = attentionResidual(w, x, { tokenShape: [2, 3, 2], seqAxis: 1, heads: 2, bias });
        return tf.sum(tf.mul(tf.erf(y), tf.sqrt(tf.add(tf.square(y), 1)))) as tf.Scalar;
      });
    for (const v of [w.q.w, w.k.w, w.v.b, w.norm.g]) {
      const { grads } = tf.variableGrads(f, [v]);
      const analytic = (grads[v.name] as tf.Tensor).dataSync();
      const numeric = numericGrad(f, v);
      for (let i = 0; i < numeric.length; i++) expect(analytic[i]).toBeCloseTo(numeric[i] as number, 1);
    }
    store.dispose();
  });

  it('give linear its hand-derived gradients: dW = xᵀ·1, db = column count', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const w = tf.variable(tf.zeros([2, 1]));
    const b = tf.variable(tf.zeros([1]));
    const { grads } = tf.variableGrads(
      () => tf.sum(linear(x, w as tf.Tensor2D, b as tf.Tensor1D)) as tf.Scalar,
      [w, b],
    );
    // d/dW Σ(xW + b) = column sums of x = [9, 12]; d/db = 3 rows.
    expect(Array.from((grads[w.name] as tf.Tensor).dataSync())).toEqual([9, 12]);
    expect(Array.from((grads[b.name] as tf.Tensor).dataSync())).toEqual([3]);
  });
});
