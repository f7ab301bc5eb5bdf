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
  const arrays = optimizer.readGradients(grads);
  optimizer.applyArrays(arrays, lr, clipScale(arrays.values(), clipNorm));
  const [clip, stmm, dis] = parts.map((t) => t.dataSync()[0] as number) as [number, number, number];
  const total = value.dataSync()[0] as number;
  tf.dispose([value, ...parts, ...Object.values(grads)]);
  return { total, clip, stmm, dis };
}

/** The global-norm clipping factor min(1, clipNorm / ‖g‖) over every gradient (in float64, in JS). */
export function clipScale(grads: Iterable<Float32Array>, clipNorm: number): number {
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += (g[i] as number) * (g[i] as number);
  return Math.min(1, clipNorm / (Math.sqrt(sq) + 1e-12));
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
