/**
 * Symmetric InfoNCE (CLIP's loss) between paired ECG and text vectors with a learned temperature. Pairs
 * whose reports have the same text are not negatives of each other: their off-diagonal logits are masked
 * out (−1e9 before the softmax), so neither pushes the other away; each row still has exactly one target,
 * its own pair.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';

/** Additive mask [B, B]: −1e9 where i ≠ j and pairKey[i] = pairKey[j], else 0. */
export function sameKeyMask(pairKey: Int32Array): Float32Array {
  const b = pairKey.length;
  const out = new Float32Array(b * b);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) if (i !== j && pairKey[i] === pairKey[j]) out[i * b + j] = -1e9;
  }
  return out;
}

/**
 * Loss = ½ (CE over rows + CE over columns) of logits = scale · zEcg · zTxtᵀ (+ same-key mask), target
 * the diagonal. zEcg, zTxt [B, D] (unit rows, as the shared encoder gives), scale a scalar (1/τ),
 * pairKey [B] (equal keys = same report text).
 */
export function infoNce(
  zEcg: tf.Tensor2D,
  zTxt: tf.Tensor2D,
  scale: tf.Scalar,
  pairKey: Int32Array,
): tf.Scalar {
  const b = zEcg.shape[0];
  if (zTxt.shape[0] !== b || pairKey.length !== b) {
    throw new InvalidArgumentError(
      'pairKey.length',
      pairKey.length,
      `must equal the batch size ${b} of both inputs`,
    );
  }
  return tf.tidy(() => {
    // zTxtᵀ transposed explicitly: a transposed matMul is slow on the wasm backend.
    const sims = tf.matMul(zEcg, tf.transpose(zTxt));
    const logits = tf.add(tf.mul(sims, scale), tf.tensor2d(sameKeyMask(pairKey), [b, b]));
    const eye = tf.eye(b);
    const rowLoss = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits, 1), eye), 1)));
    const colLoss = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.transpose(logits), 1), eye), 1)));
    return tf.mul(tf.add(rowLoss, colLoss), 0.5) as tf.Scalar;
  });
}
