/** One optimisation step: losses and gradients of the trainable groups, global-norm clipping, Adam. */
import { type CgDmerModel, computeLosses, type TrainBatch, type TrainMode } from '@heartline/model/nn';
import * as tf from '@tensorflow/tfjs-core';
import type { Adam } from './adam.js';

/** Loss values of one step or one validation pass, as numbers. */
export interface LossValues {
  readonly total: number;
  readonly clip: number;
  readonly stmm: number;
  readonly dis: number;
}

/** Runs forward + backward on `batch`, clips the gradients to `clipNorm` (global L2), and updates. */
export function trainStep(
  model: CgDmerModel,
  optimizer: Adam,
  variables: readonly tf.Variable[],
  batch: TrainBatch,
  mode: TrainMode,
  maskSeed: string,
  lr: number,
  clipNorm: number,
): LossValues {
  let parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const losses = computeLosses(model, batch, mode, maskSeed);
    parts = [tf.keep(losses.clip), tf.keep(losses.stmm), tf.keep(losses.dis)];
    return losses.total;
  }, [...variables]);
  const clipped = clipGradients(grads, clipNorm);
  optimizer.apply(clipped, lr);
  const [clip, stmm, dis] = parts.map((t) => t.dataSync()[0] as number) as [number, number, number];
  const total = value.dataSync()[0] as number;
  tf.dispose([value, ...parts, ...Object.values(grads), ...Object.values(clipped)]);
  return { total, clip, stmm, dis };
}

/** Scales every gradient by min(1, clipNorm / ‖g‖) (new tensors; the inputs are left to the caller). */
function clipGradients(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const list = Object.values(grads);
    const sq = tf.addN(list.map((g) => tf.sum(tf.square(g))));
    const factor = tf.minimum(1, tf.div(clipNorm, tf.add(tf.sqrt(sq), 1e-12)));
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, factor);
    return out;
  });
}

/** Losses of `batch` without gradients (validation). */
export function evaluateLosses(
  model: CgDmerModel,
  batch: TrainBatch,
  mode: TrainMode,
  maskSeed: string,
): LossValues {
  const parts = tf.tidy(() => {
    const l = computeLosses(model, batch, mode, maskSeed);
    return tf.stack([l.total, l.clip, l.stmm, l.dis]);
  });
  const [total, clip, stmm, dis] = parts.dataSync() as Float32Array;
  parts.dispose();
  return { total: total as number, clip: clip as number, stmm: stmm as number, dis: dis as number };
}
