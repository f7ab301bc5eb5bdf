/**
 * Disentanglement between a modality's specific vectors s and its shared vectors z: the mean squared
 * Pearson correlation, over the batch, between every feature of s and every feature of z. Zero when no
 * feature of one is linearly related to a feature of the other, one when they are copies; unlike a
 * per-sample cosine it cannot be met by a mere rotation, and s and z may have different widths. The
 * train step applies it to (s_ecg, z_ecg) and (s_txt, z_txt) and averages the two.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';

/** mean over (p, q) of corr(s[:, p], z[:, q])²; s [B, P], z [B, Q], B ≥ 2. */
export function disentangleLoss(s: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  const b = s.shape[0];
  if (z.shape[0] !== b || b < 2)
    throw new InvalidArgumentError('batch', [b, z.shape[0]], 'must be equal and at least 2');
  return tf.tidy(() => {
    const standardise = (x: tf.Tensor2D): tf.Tensor2D => {
      const centred = tf.sub(x, tf.mean(x, 0, true));
      return tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), 0, true), 1e-8)));
    };
    // sᵀ transposed explicitly: a transposed matMul is slow on the wasm backend.
    const corr = tf.div(tf.matMul(tf.transpose(standardise(s)), standardise(z)), b);
    return tf.mean(tf.square(corr)) as tf.Scalar;
  });
}
