/**
 * The shared encoder (one MLP for both modalities, told which one by a learned modality embedding added
 * to its input; output L2-normalised) and the modality-specific heads s_ecg, s_txt (one dense layer each).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CgDmerConfig } from './config.js';
import { createDense, type Dense, dense, gelu } from './ops.js';
import type { WeightStore } from './weights.js';

/** Which modality a vector came from (the row of the modality embedding). */
export type Modality = 'ecg' | 'text';

/** The shared encoder and the specific heads. */
export interface SharedEncoder {
  /** h [B, ecgDim] → z [B, sharedDim], unit length per row. */
  shared(h: tf.Tensor2D, modality: Modality): tf.Tensor2D;
  /** h [B, ecgDim] → s [B, specificDim]. */
  specific(h: tf.Tensor2D, modality: Modality): tf.Tensor2D;
}

/**
 * Weights: `shared/modality_emb` [2, ecgDim] (row 0 ECG, row 1 text), `shared/fc1` [ecgDim, 2·sharedDim],
 * `shared/fc2` [2·sharedDim, sharedDim], `heads/ecg` and `heads/text` [ecgDim, specificDim].
 */
export function createSharedEncoder(store: WeightStore, c: CgDmerConfig): SharedEncoder {
  const d = c.ecgDim;
  const modalityEmb = store.create('shared/modality_emb', [2, d], { kind: 'normal', std: 0.02 });
  const fc1: Dense = createDense(store, 'shared/fc1', d, 2 * c.sharedDim);
  const fc2: Dense = createDense(store, 'shared/fc2', 2 * c.sharedDim, c.sharedDim);
  const heads: Record<Modality, Dense> = {
    ecg: createDense(store, 'heads/ecg', d, c.specificDim),
    text: createDense(store, 'heads/text', d, c.specificDim),
  };
  return {
    shared(h, modality) {
      const row = tf.slice(modalityEmb, [modality === 'ecg' ? 0 : 1, 0], [1, d]);
      const z = dense(fc2, gelu(dense(fc1, tf.add(h, row))));
      return l2Normalise(z);
    },
    specific(h, modality) {
      return dense(heads[modality], h);
    },
  };
}

/** Rows scaled to unit length (ε keeps a zero row finite). */
export function l2Normalise(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12)));
}
