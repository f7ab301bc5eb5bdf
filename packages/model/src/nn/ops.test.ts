import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from './gradients.js';
import { gelu, layerNorm } from './ops.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

/** The plain TF.js compositions the fused ops replace (what the ONNX export writes). */
function referenceLayerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor2D {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}
function referenceGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

function expectClose(a: tf.Tensor, b: tf.Tensor, tol: number): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  expect(worst).toBeLessThan(tol);
}

describe('layerNorm', () => {
  it('matches the plain composition and its autodiff gradients within 1e-5', () => {
    const x = tf.randomNormal([7, 12], 0.3, 2, 'float32', 11) as tf.Tensor2D;
    const g = tf.variable(tf.randomNormal([12], 1, 0.3, 'float32', 12));
    const b = tf.variable(tf.randomNormal([12], 0, 0.3, 'float32', 13));
    // A non-uniform upstream gradient so every term of the backward formula matters.
    const w = tf.randomNormal([7, 12], 0, 1, 'float32', 14);
    const lossOf = (f: (x: tf.Tensor2D) => tf.Tensor) => (xi: tf.Tensor) =>
      tf.sum(tf.mul(f(xi as tf.Tensor2D), w)) as tf.Scalar;
    const fused = lossOf((xi) => layerNorm({ g, b }, xi));
    const plain = lossOf((xi) => referenceLayerNorm(xi, g as tf.Tensor1D, b as tf.Tensor1D));
    expectClose(layerNorm({ g, b }, x), referenceLayerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D), 1e-5);
    expectClose(tf.grad(fused)(x), tf.grad(plain)(x), 1e-5);
    const vf = tf.variableGrads(() => fused(x), [g, b]).grads;
    const vp = tf.variableGrads(() => plain(x), [g, b]).grads;
    expectClose(vf[g.name] as tf.Tensor, vp[g.name] as tf.Tensor, 1e-5);
    expectClose(vf[b.name] as tf.Tensor, vp[b.name] as tf.Tensor, 1e-5);
  });

  it('gives zero mean and unit variance per row with g = 1, b = 0 (rows [1, 2, 3] and [−4, 0, 4])', () => {
    const y = layerNorm(
      { g: tf.variable(tf.ones([3])), b: tf.variable(tf.zeros([3])) },
      tf.tensor2d([
        [1, 2, 3],
        [-4, 0, 4],
      ]),
    ).dataSync();
    // Row 1: variance 2/3 → (x − 2)/√(2/3 + 1e-5); row 2: variance 32/3.
    const s1 = 1 / Math.sqrt(2 / 3 + 1e-5);
    const s2 = 1 / Math.sqrt(32 / 3 + 1e-5);
    [-s1, 0, s1, -4 * s2, 0, 4 * s2].forEach((v, i) => {
      expect(y[i]).toBeCloseTo(v, 5);
    });
  });
});

describe('gelu', () => {
  it('matches 0.5·x·(1 + erf(x/√2)) and its autodiff gradient within 1e-5', () => {
    const x = tf.randomNormal([5, 9], 0, 2.5, 'float32', 21);
    const w = tf.randomNormal([5, 9], 0, 1, 'float32', 22);
    expectClose(gelu(x), referenceGelu(x), 1e-5);
    const fused = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(gelu(xi), w)));
    const plain = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(referenceGelu(xi), w)));
    expectClose(fused(x), plain(x), 1e-5);
  });

  it('gives Φ(1) = 0.841345 at 1 and slope Φ(1) + φ(1) = 1.083315 there', () => {
    const x = tf.tensor1d([0, 1]);
    // Φ(1) = 0.8413447, φ(1) = e^(−1/2)/√(2π) = 0.2419707; GELU'(0) = Φ(0) = 0.5.
    expect(Array.from(gelu(x).dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([0, 0.841345]);
    const slope = tf
      .grad((xi: tf.Tensor) => tf.sum(gelu(xi)))(x)
      .dataSync();
    expect(slope[0]).toBeCloseTo(0.5, 6);
    expect(slope[1]).toBeCloseTo(1.0833155, 5);
  });
});
