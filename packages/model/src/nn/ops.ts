/**
 * The few building blocks every network here is made of, shaped for TF.js's wasm backend (see DESIGN's
 * setup facts): dense layers as one 2-D matMul over all tokens with a hand-written gradient that avoids
 * transposed matMuls (3–10× slower there than an explicit transpose plus a plain matMul), an embedding
 * lookup whose gradient is a scatter-add in JS (the backend lacks UnsortedSegmentSum), layer norm, GELU,
 * and attention over short sequences.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightStore } from './weights.js';

/** y = x·w + b for x [N, in], w [in, out], b [out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, bi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([xi, wi]);
    // The forward input's data identifies it: what `save` hands back is a copy with its own data.
    const key = xi.dataId;
    return {
      value: tf.add(tf.matMul(xi, wi), bi),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, tf.transpose(ws)), tf.matMul(transposed(xs, key), dy2), columnSum(dy2)];
      },
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}

/**
 * xᵀ of a saved dense-layer input, shared by the backward passes of every dense layer that read the same
 * forward tensor (q, k and v all read LN(x)): transposing [N, d] costs about as much as the matMul it
 * feeds. `key` is the forward input's dataId; an entry that was disposed meanwhile is recomputed.
 */
const transposeCache = new WeakMap<object, tf.Tensor2D>();
function transposed(x: tf.Tensor2D, key: object): tf.Tensor2D {
  const hit = transposeCache.get(key);
  if (hit && !hit.isDisposed) return hit;
  const t = tf.transpose(x);
  transposeCache.set(key, t);
  return t;
}

/** A dense layer's weights `<prefix>/w` [in, out] (Xavier) and `<prefix>/b` [out] (zeros). */
export interface Dense {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
}

/** Creates a dense layer in `store`. */
export function createDense(store: WeightStore, prefix: string, inDim: number, outDim: number): Dense {
  return {
    w: store.create(`${prefix}/w`, [inDim, outDim], { kind: 'xavier' }),
    b: store.create(`${prefix}/b`, [outDim], { kind: 'const', value: 0 }),
  };
}

/** Applies a dense layer to [N, in]. */
export function dense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return linear(x, layer.w as tf.Tensor2D, layer.b as tf.Tensor1D);
}

/** Layer-norm gain `<prefix>/g` (ones) and bias `<prefix>/b` (zeros). */
export interface Norm {
  readonly g: tf.Variable;
  readonly b: tf.Variable;
}

/** Creates a layer norm of width `dim` in `store`. */
export function createNorm(store: WeightStore, prefix: string, dim: number): Norm {
  return {
    g: store.create(`${prefix}/g`, [dim], { kind: 'const', value: 1 }),
    b: store.create(`${prefix}/b`, [dim], { kind: 'const', value: 0 }),
  };
}

/**
 * Layer norm over the last axis (ε = 1e-5, as ONNX LayerNormalization's default), with a hand-written
 * gradient: autodiff through its nine kernels records ~25 backward kernels; this one needs ten.
 */
export function layerNorm(norm: Norm, x: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const centred = tf.sub(xi, tf.mean(xi, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), 1e-5));
    const xhat = tf.mul(centred, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const dy2 = dy as tf.Tensor2D;
        const dxhat = tf.mul(dy2, gs);
        // dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), the standard layer-norm backward.
        const dx = tf.mul(
          tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))),
          rs,
        );
        return [dx, columnSum(tf.mul(dy2, xh)), columnSum(dy2)];
      },
    };
  });
  return op(x, norm.g, norm.b) as tf.Tensor2D;
}

/** Column sums of [N, d] → [d] as ones·x: the backend's Sum transposes first and is far slower there. */
function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]);
}

/**
 * Exact GELU, 0.5·x·(1 + erf(x/√2)) (what the ONNX export writes as Erf-GELU), computed as x·Φ(x) with a
 * hand-written gradient Φ(x) + x·φ(x) that reuses the saved Φ.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(xi, Math.SQRT1_2)), 1), 0.5);
    save([xi, cdf]);
    return {
      value: tf.mul(xi, cdf),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, c] = saved as [tf.Tensor, tf.Tensor];
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), 1 / Math.sqrt(2 * Math.PI));
        return [tf.mul(dy, tf.add(c, tf.mul(xs, pdf)))];
      },
    };
  });
  return op(x) as T;
}

/**
 * Rows of `table` [V, d] at `ids` (length N) → [N, d]. Forward is a gather; the gradient is summed per
 * id in JS (small: N·d floats), which is both what the wasm backend lacks and far cheaper than a one-hot
 * matMul over the vocabulary.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  const [vocab, dim] = table.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor2D;
    const idx = tf.tensor1d(ids, 'int32');
    const value = tf.gather(t, idx);
    idx.dispose();
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const acc = new Float32Array(vocab * dim);
        for (let i = 0; i < ids.length; i++) {
          const src = i * dim;
          const dst = (ids[i] as number) * dim;
          for (let k = 0; k < dim; k++) acc[dst + k] = (acc[dst + k] as number) + (g[src + k] as number);
        }
        return tf.tensor2d(acc, [vocab, dim]);
      },
    };
  });
  return op(table) as tf.Tensor2D;
}

/**
 * Multi-head attention over many short sequences: q, k, v are [G, S, dh] with
 * q already scaled by 1/√dh; `bias` (broadcast against the scores viewed as `bias.shape`) is added
 * to the scores before the softmax. Returns [G, S, dh].
 */
export function attend(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  bias?: { tensor: tf.Tensor; shape: number[] },
): tf.Tensor3D {
  // Batched matMuls cost the same with or without the transpose flag here (measured).
  let scores: tf.Tensor = tf.matMul(q, k, false, true);
  if (bias) {
    const [g, s1, s2] = scores.shape as [number, number, number];
    scores = tf.reshape(tf.add(tf.reshape(scores, bias.shape), bias.tensor), [g, s1, s2]);
  }
  return tf.matMul(tf.softmax(scores), v) as tf.Tensor3D;
}
