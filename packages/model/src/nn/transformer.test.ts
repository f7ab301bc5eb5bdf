import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from './gradients.js';
import {
  type AttentionLayout,
  type AttentionWeights,
  attentionResidual,
  createAttention,
} from './transformer.js';
import { WeightStore } from './weights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerGradients();
});

/**
 * The textbook pre-LN attention sublayer, written independently of the fused implementation: per
 * sequence and head, softmax(q·kᵀ/√dh + bias)·v with separate q, k, v projections, by explicit loops
 * over the grid (token grid [B, A, S], attention along axis `seqAxis`).
 */
function reference(
  w: AttentionWeights,
  x: tf.Tensor2D,
  grid: [number, number, number],
  seqAxis: 1 | 2,
  heads: number,
  keyBias?: Float32Array,
): Float32Array {
  const [n, d] = x.shape;
  const dh = d / heads;
  const ln = tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), w.norm.g), w.norm.b);
  });
  const proj = (l: { w: tf.Variable; b: tf.Variable }) => tf.add(tf.matMul(ln, l.w), l.b).dataSync();
  const [q, k, v] = [proj(w.q), proj(w.k), proj(w.v)];
  const out = new Float32Array(n * d);
  const [b, a1, a2] = grid;
  const seqLen = seqAxis === 1 ? a1 : a2;
  const token = (bi: number, other: number, s: number) =>
    seqAxis === 1 ? (bi * a1 + s) * a2 + other : (bi * a1 + other) * a2 + s;
  for (let bi = 0; bi < b; bi++) {
    for (let other = 0; other < (seqAxis === 1 ? a2 : a1); other++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < seqLen; i++) {
          const ti = token(bi, other, i);
          const scores = new Float64Array(seqLen);
          for (let j = 0; j < seqLen; j++) {
            const tj = token(bi, other, j);
            let dot = 0;
            for (let c = 0; c < dh; c++)
              dot += (q[ti * d + h * dh + c] as number) * (k[tj * d + h * dh + c] as number);
            scores[j] = dot / Math.sqrt(dh) + (keyBias ? (keyBias[bi * seqLen + j] as number) : 0);
          }
          const max = Math.max(...scores);
          let sum = 0;
          for (let j = 0; j < seqLen; j++) sum += Math.exp((scores[j] as number) - max);
          for (let j = 0; j < seqLen; j++) {
            const p = Math.exp((scores[j] as number) - max) / sum;
            const tj = token(bi, other, j);
            for (let c = 0; c < dh; c++) {
              const o = ti * d + h * dh + c;
              out[o] = (out[o] as number) + p * (v[tj * d + h * dh + c] as number);
            }
          }
        }
      }
    }
  }
  const attn = tf.tensor2d(out, [n, d]);
  return tf.add(x, tf.add(tf.matMul(attn, w.out.w), w.out.b)).dataSync() as Float32Array;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

describe('attentionResidual', () => {
  const d = 8;
  const grid: [number, number, number] = [2, 3, 4];
  const n = grid[0] * grid[1] * grid[2];

  it('matches per-sequence, per-head attention along the last grid axis (temporal) within 1e-5', () => {
    const store = new WeightStore(31);
    const w = createAttention(store, 'ecg/t', d);
    for (const v of [w.q.b, w.k.b, w.v.b, w.out.b]) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 9));
    const x = tf.randomNormal([n, d], 0, 1, 'float32', 32) as tf.Tensor2D;
    const layout: AttentionLayout = { tokenShape: grid, seqAxis: 2, heads: 2 };
    const got = attentionResidual(w, x, layout).dataSync();
    expect(maxDiff(got, reference(w, x, grid, 2, 2))).toBeLessThan(1e-5);
    store.dispose();
  });

  it('matches it along the middle axis (spatial) with a masked key, which then gets no weight', () => {
    const store = new WeightStore(41);
    const w = createAttention(store, 'ecg/s', d);
    const x = tf.randomNormal([n, d], 0, 1, 'float32', 42) as tf.Tensor2D;
    // Window 0 hides key 1 of its 3 (the spatial sequence), window 1 none: −1e9 as the encoder does.
    const keyBias = Float32Array.of(0, -1e9, 0, 0, 0, 0);
    const layout: AttentionLayout = {
      tokenShape: grid,
      seqAxis: 1,
      heads: 4,
      bias: { tensor: tf.tensor3d(keyBias, [2, 1, 3]), shape: [2, 4 * 4 * 3, 3] },
    };
    const got = attentionResidual(w, x, layout).dataSync();
    expect(maxDiff(got, reference(w, x, grid, 1, 4, keyBias))).toBeLessThan(1e-5);
    store.dispose();
  });
});
