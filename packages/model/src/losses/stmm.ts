/**
 * The spatial-temporal masked-modelling loss: mean squared error between predicted and target patches,
 * over masked patches only, with each target patch normalised by its own mean and variance (as MAE does),
 * so flat and large patches weigh alike.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';

/** Per-patch normalised copy of `values` cut into consecutive patches of `patchSize`: (x − mean) / √(var + ε). */
export function normalisePatches(values: Float32Array, patchSize: number, epsilon = 1e-6): Float32Array {
  if (!Number.isInteger(patchSize) || patchSize < 1 || values.length % patchSize !== 0) {
    throw new InvalidArgumentError('patchSize', patchSize, `must be a positive divisor of ${values.length}`);
  }
  const out = new Float32Array(values.length);
  for (let start = 0; start < values.length; start += patchSize) {
    let sum = 0;
    for (let i = 0; i < patchSize; i++) sum += values[start + i] as number;
    const mean = sum / patchSize;
    let sq = 0;
    for (let i = 0; i < patchSize; i++) {
      const c = (values[start + i] as number) - mean;
      sq += c * c;
    }
    const inv = 1 / Math.sqrt(sq / patchSize + epsilon);
    for (let i = 0; i < patchSize; i++) out[start + i] = ((values[start + i] as number) - mean) * inv;
  }
  return out;
}

/**
 * Σ over masked patches of mean_samples (pred − target)² / number of masked patches; 0 when none is
 * masked. pred, target [N, patchSize]; mask [N, 1] (1 = masked).
 */
export function stmmLoss(pred: tf.Tensor2D, target: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perPatch = tf.mean(tf.square(tf.sub(pred, target)), 1, true);
    const masked = tf.sum(tf.mul(perPatch, mask));
    return tf.div(masked, tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
