/**
 * Pre-LN transformer pieces shared by the encoders: a self-attention sublayer whose projections are one
 * 2-D matMul over every token of the batch, and the feed-forward sublayer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attend, createDense, createNorm, type Dense, dense, gelu, layerNorm, type Norm } from './ops.js';
import type { WeightStore } from './weights.js';

/** One attention sublayer: its norm, the q, k, v projections and the output projection. */
export interface AttentionWeights {
  readonly norm: Norm;
  readonly q: Dense;
  readonly k: Dense;
  readonly v: Dense;
  readonly out: Dense;
}

/**
 * Creates `<prefix>/norm`, `<prefix>/{q,k,v}` and `<prefix>/out` (each [d, d]). Three projections rather
 * than one fused [d, 3d]: splitting the fused output costs more than the matMuls on the wasm backend.
 */
export function createAttention(store: WeightStore, prefix: string, dim: number): AttentionWeights {
  return {
    norm: createNorm(store, `${prefix}/norm`, dim),
    q: createDense(store, `${prefix}/q`, dim, dim),
    k: createDense(store, `${prefix}/k`, dim, dim),
    v: createDense(store, `${prefix}/v`, dim, dim),
    out: createDense(store, `${prefix}/out`, dim, dim),
  };
}

/** The feed-forward sublayer: norm, [d, m·d] GELU, [m·d, d]. */
export interface FfnWeights {
  readonly norm: Norm;
  readonly fc1: Dense;
  readonly fc2: Dense;
}

/** Creates `<prefix>/norm`, `<prefix>/fc1`, `<prefix>/fc2`. */
export function createFfn(store: WeightStore, prefix: string, dim: number, mult: number): FfnWeights {
  return {
    norm: createNorm(store, `${prefix}/norm`, dim),
    fc1: createDense(store, `${prefix}/fc1`, dim, mult * dim),
    fc2: createDense(store, `${prefix}/fc2`, mult * dim, dim),
  };
}

/** x + FFN(LN(x)) for x [N, d]. */
export function ffnResidual(w: FfnWeights, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(x, dense(w.fc2, gelu(dense(w.fc1, layerNorm(w.norm, x)))));
}

/**
 * How the tokens [N, d] (N = product of `tokenShape`) are grouped into sequences for attention:
 * `tokenShape` is the token grid (e.g. [B, leads, time]) and `seqAxis` the grid axis attention runs along;
 * the other axes index independent sequences. `bias` is added to the scores, viewed as
 * `bias.shape` (broadcast), e.g. to hide padding or masked leads.
 */
export interface AttentionLayout {
  readonly tokenShape: readonly number[];
  readonly seqAxis: number;
  readonly heads: number;
  readonly bias?: { tensor: tf.Tensor; shape: number[] };
}

/**
 * x + Out(Attention(LN(x))) with attention along one axis of the token grid. The q, k, v projections stay
 * three [d, d] matMuls with three rank-5 transposes: a fused [d, 3d] projection needs a rank-6 transpose
 * and a split that were measured 3–7× slower than these on the wasm backend.
 */
export function attentionResidual(w: AttentionWeights, x: tf.Tensor2D, layout: AttentionLayout): tf.Tensor2D {
  const [n, d] = x.shape;
  const { tokenShape, seqAxis, heads } = layout;
  const dh = d / heads;
  const rank = tokenShape.length;
  const seqLen = tokenShape[seqAxis] as number;
  const groups = n / seqLen;
  const normed = layerNorm(w.norm, x);
  // View each projection as [...grid, heads, dh] and order it [others, heads, sequence, dh].
  const others = [...Array(rank).keys()].filter((a) => a !== seqAxis);
  const toSeq = [...others, rank, seqAxis, rank + 1];
  const project = (layer: Dense, scale = 1): tf.Tensor3D => {
    const y = scale === 1 ? dense(layer, normed) : tf.mul(dense(layer, normed), scale);
    return tf.reshape(tf.transpose(tf.reshape(y, [...tokenShape, heads, dh]), toSeq), [
      groups * heads,
      seqLen,
      dh,
    ]);
  };
  const q = project(w.q, 1 / Math.sqrt(dh));
  const k = project(w.k);
  const v = project(w.v);
  const o = attend(q, k, v, layout.bias);
  // Back to the token grid order [...grid, heads, dh].
  const permuted = [...others.map((a) => tokenShape[a] as number), heads, seqLen, dh];
  const inverse = new Array<number>(toSeq.length);
  toSeq.forEach((axis, i) => {
    inverse[axis] = i;
  });
  const back = tf.reshape(tf.transpose(tf.reshape(o, permuted), inverse), [n, d]);
  return tf.add(x, dense(w.out, back as tf.Tensor2D));
}
