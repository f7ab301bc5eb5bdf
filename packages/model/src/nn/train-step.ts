/**
 * One forward pass of CG-DMER training and its losses, for either mode:
 * - `pretrain`: raw ECG windows + reports; InfoNCE + ST-MM + disentanglement. The ECG is encoded once,
 *   with the masked patches replaced by the mask token; the same pass gives h_ecg for InfoNCE (a second,
 *   unmasked pass would double the cost for a ~6 % token difference).
 * - `align`: stored ECG-specific embeddings + reports; InfoNCE + disentanglement, no ST-MM; only the
 *   text encoder, shared encoder and temperature train (see `trainableGroups`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';
import { disentangleLoss } from '../losses/disentangle.js';
import { infoNce } from '../losses/infonce.js';
import { generatePatchMask } from '../losses/patch-mask.js';
import { normalisePatches, stmmLoss } from '../losses/stmm.js';
import { patchesPerLead } from './config.js';
import { registerGradients } from './gradients.js';
import type { CgDmerModel } from './model.js';
import type { WeightGroup } from './weights.js';

/** Training mode. */
export type TrainMode = 'pretrain' | 'align';

/** Report side of a batch, shared by both modes. */
export interface TextBatch {
  /** [B × L] token ids, row-major. */
  readonly tokenIds: Int32Array;
  /** [B × L], 1 = real token. */
  readonly tokenMask: Uint8Array;
  /** [B]; equal keys mark pairs whose reports have the same normalised text (not negatives). */
  readonly pairKey: Int32Array;
}

/** A pretraining batch: raw windows plus reports. */
export interface PretrainBatch extends TextBatch {
  /** [B × leads × windowSamples], lead-major per window. */
  readonly ecg: Float32Array;
  /** [B × leads], 1 = usable lead. */
  readonly leadMask: Uint8Array;
}

/** An alignment batch: stored ECG-specific embeddings plus reports. */
export interface AlignBatch extends TextBatch {
  /** [B × ecgDim] h_ecg as the device computed it. */
  readonly hEcg: Float32Array;
}

/** A batch of either mode. */
export type TrainBatch = PretrainBatch | AlignBatch;

/** Scalar losses of one step (total = λclip·clip + λstmm·stmm + λdis·dis). */
export interface LossTensors {
  readonly total: tf.Scalar;
  readonly clip: tf.Scalar;
  readonly stmm: tf.Scalar;
  readonly dis: tf.Scalar;
}

/** The weight groups a mode trains; the others stay frozen. */
export function trainableGroups(mode: TrainMode): readonly WeightGroup[] {
  return mode === 'pretrain'
    ? ['ecg', 'text', 'shared', 'heads', 'decoder', 'temperature']
    : ['text', 'shared', 'temperature'];
}

/** True when the batch carries raw windows (a pretraining batch). */
export function isPretrainBatch(batch: TrainBatch): batch is PretrainBatch {
  return 'ecg' in batch;
}

/** Infers B from pairKey and L from tokenIds, checking the text arrays agree. */
function textShape(batch: TextBatch): [number, number] {
  const b = batch.pairKey.length;
  if (b < 2)
    throw new InvalidArgumentError('batch size', b, 'must be at least 2 (contrastive loss needs negatives)');
  const len = batch.tokenIds.length / b;
  if (!Number.isInteger(len) || batch.tokenMask.length !== batch.tokenIds.length) {
    throw new InvalidArgumentError(
      'tokenIds.length',
      batch.tokenIds.length,
      `must be B × L with B = ${b}, and equal tokenMask.length`,
    );
  }
  return [b, len];
}

/**
 * Computes the losses of one batch (call inside `tf.variableGrads` or `tf.tidy`). `maskSeed` seeds the
 * ST-MM mask so a step is reproducible.
 */
export function computeLosses(
  model: CgDmerModel,
  batch: TrainBatch,
  mode: TrainMode,
  maskSeed: number | string,
): LossTensors {
  registerGradients();
  const c = model.config;
  const [b, len] = textShape(batch);
  const tokenMask = tf.tensor2d(Float32Array.from(batch.tokenMask), [b, len]);
  const hTxt = model.encodeText(batch.tokenIds, tokenMask);
  let hEcg: tf.Tensor2D;
  let stmm: tf.Scalar = tf.scalar(0);
  if (mode === 'pretrain') {
    if (!isPretrainBatch(batch))
      throw new InvalidArgumentError('batch', 'align batch', 'pretrain mode needs ecg and leadMask');
    const patches = patchesPerLead(c);
    if (batch.ecg.length !== b * c.leads * c.windowSamples || batch.leadMask.length !== b * c.leads) {
      throw new InvalidArgumentError(
        'ecg.length',
        batch.ecg.length,
        `must be B × ${c.leads} × ${c.windowSamples} with B = ${b}`,
      );
    }
    const mask = generatePatchMask({
      batch: b,
      leads: c.leads,
      patches,
      leadRatio: c.leadMaskRatio,
      timeRatio: c.timeMaskRatio,
      leadMask: batch.leadMask,
      seed: maskSeed,
    });
    const n = b * c.leads * patches;
    const patchMask = tf.tensor2d(Float32Array.from(mask), [n, 1]);
    const x = tf.tensor3d(batch.ecg, [b, c.leads, c.windowSamples]);
    const leadMask = tf.tensor2d(Float32Array.from(batch.leadMask), [b, c.leads]);
    const enc = model.encodeEcg(x, leadMask, patchMask);
    hEcg = enc.hEcg;
    if (c.lambdaStmm > 0) {
      const pred = model.decoder.decode(tf.reshape(enc.tokens, [n, c.ecgDim]) as tf.Tensor2D);
      const target = tf.tensor2d(normalisePatches(batch.ecg, c.patchSize), [n, c.patchSize]);
      stmm = stmmLoss(pred, target, patchMask);
    }
  } else {
    if (isPretrainBatch(batch))
      throw new InvalidArgumentError('batch', 'pretrain batch', 'align mode needs hEcg');
    if (batch.hEcg.length !== b * c.ecgDim) {
      throw new InvalidArgumentError(
        'hEcg.length',
        batch.hEcg.length,
        `must be B × ecgDim = ${b * c.ecgDim}`,
      );
    }
    hEcg = tf.tensor2d(batch.hEcg, [b, c.ecgDim]);
  }
  const zEcg = model.sharedFromEcg(hEcg);
  const zTxt = model.sharedFromText(hTxt);
  const clip = infoNce(zEcg, zTxt, model.logitScale(), batch.pairKey);
  const dis =
    c.lambdaDis > 0
      ? (tf.mul(
          tf.add(
            disentangleLoss(model.specificFromEcg(hEcg), zEcg),
            disentangleLoss(model.specificFromText(hTxt), zTxt),
          ),
          0.5,
        ) as tf.Scalar)
      : tf.scalar(0);
  const total = tf.addN([
    tf.mul(clip, c.lambdaClip),
    tf.mul(stmm, c.lambdaStmm),
    tf.mul(dis, c.lambdaDis),
  ]) as tf.Scalar;
  return { total, clip, stmm, dis };
}
