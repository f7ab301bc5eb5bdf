/**
 * Binary cross-entropy of logits against 0/1 targets (multi-label), for supervised training on the
 * backends this repo trains on.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean over every element of BCE(σ(x), y) = max(x, 0) − x·y + log(1 + e^−|x|), which is stable for any
 * logit. The gradient is written by hand, (σ(x) − y) / n: autodiff would need gradients of Relu, Abs and
 * Log1p, which `@tensorflow/tfjs-core` alone does not register. Only `logits` is differentiated; the
 * residual σ(x) − y is computed in the forward pass and saved, so the backward pass reads no tensor the
 * caller may have disposed meanwhile.
 */
export function sigmoidCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (logits.shape[0] !== targets.shape[0] || logits.shape[1] !== targets.shape[1]) {
    throw new RangeError(
      `sigmoidCrossEntropy: targets [${targets.shape.join(', ')}] must match logits [${logits.shape.join(', ')}]`,
    );
  }
  const n = logits.size;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const perElement = tf.add(tf.sub(tf.relu(x), tf.mul(x, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    save([tf.sub(tf.sigmoid(x), targets)]);
    return {
      value: tf.mean(perElement),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0] as tf.Tensor, tf.div(dy, n)),
    };
  });
  return op(logits) as tf.Scalar;
}
