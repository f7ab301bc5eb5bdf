/**
 * One forward pass of CG-DMER training and its losses, for either mode:
 * - `pretrain`: raw ECG windows + reports; InfoNCE + ST-MM + disentanglement. The ECG is encoded once,
 *   with the masked patches replaced by the mask token; the same pass gives h_ecg for InfoNCE (a second,
 *   unmasked pass would double the cost for a ~6 % token difference).
 * - `align`: stored ECG-specific embeddings + reports; InfoNCE + disentanglement, no ST-MM; only the
 *   text encoder, shared encoder and temperature train (see `trainableGroups`).
 * The loss itself is losses/objective.ts; the pieces that feed it (`pretrainMask`, `encodePretrainRows`,
 * `headLosses`) are exported so the data-parallel pool composes the same objective over batch slices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';
import { headTerms, weightedLoss } from '../losses/objective.js';
import { generatePatchMask } from '../losses/patch-mask.js';
import { normalisePatches, stmmLoss } from '../losses/stmm.js';
import { type CgDmerConfig, patchesPerLead } from './config.js';
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
  /**
   * [B × leads × patches], 1 = masked: the ST-MM mask the batch's source chose (the self-supervised
   * stage masks each window's leads and spans in turn); drawn from the step's seed when absent.
   */
  readonly patchMask?: Uint8Array;
}

/** An alignment batch: stored ECG-specific embeddings plus reports. */
export interface AlignBatch extends TextBatch {
  /** [B × ecgDim] h_ecg as the device computed it. */
  readonly hEcg: Float32Array;
}

/** A batch of either mode. */
export type TrainBatch = PretrainBatch | AlignBatch;

/** Scalar losses of one step (total = λclip·clip + λstmm·stmm + λdis·dis, see losses/objective.ts). */
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
 * Checks a pretraining batch's shapes against `config` and gives its ST-MM patch mask
 * [B × leads × patches] (1 = masked): the batch's own when it carries one, else drawn seeded by `maskSeed`
 * so a step is reproducible.
 */
export function pretrainMask(
  config: CgDmerConfig,
  batch: PretrainBatch,
  maskSeed: number | string,
): Uint8Array {
  const c = config;
  const [b] = textShape(batch);
  if (batch.ecg.length !== b * c.leads * c.windowSamples || batch.leadMask.length !== b * c.leads) {
    throw new InvalidArgumentError(
      'ecg.length',
      batch.ecg.length,
      `must be B × ${c.leads} × ${c.windowSamples} with B = ${b}`,
    );
  }
  if (batch.patchMask) {
    if (batch.patchMask.length !== b * c.leads * patchesPerLead(c))
      throw new InvalidArgumentError(
        'patchMask.length',
        batch.patchMask.length,
        `must be B × ${c.leads} × ${patchesPerLead(c)} with B = ${b}`,
      );
    return batch.patchMask;
  }
  return generatePatchMask({
    batch: b,
    leads: c.leads,
    patches: patchesPerLead(c),
    leadRatio: c.leadMaskRatio,
    timeRatio: c.timeMaskRatio,
    leadMask: batch.leadMask,
    seed: maskSeed,
  });
}

/** What the encoders make of a pretraining batch, or of a slice of one (rows of the whole batch). */
export interface PretrainEncoding {
  /** h_ecg [rows, ecgDim], encoded once with the masked patches replaced by the mask token. */
  readonly hEcg: tf.Tensor2D;
  /** h_txt [rows, ecgDim]. */
  readonly hTxt: tf.Tensor2D;
  /** ST-MM, the mean over these rows' masked patches; undefined when λstmm is 0 (not computed). */
  readonly stmm?: tf.Scalar;
}

/**
 * Encodes `rows` (whole batch or slice, shapes already checked) with its `patchMask` [rows × leads ×
 * patches], and reconstructs the masked patches.
 */
export function encodePretrainRows(
  model: CgDmerModel,
  rows: Omit<PretrainBatch, 'pairKey'>,
  patchMask: Uint8Array,
): PretrainEncoding {
  const c = model.config;
  const b = rows.leadMask.length / c.leads;
  const len = rows.tokenIds.length / b;
  const n = b * c.leads * patchesPerLead(c);
  const tokenMask = tf.tensor2d(Float32Array.from(rows.tokenMask), [b, len]);
  const hTxt = model.encodeText(rows.tokenIds, tokenMask);
  const mask = tf.tensor2d(Float32Array.from(patchMask), [n, 1]);
  const x = tf.tensor3d(rows.ecg, [b, c.leads, c.windowSamples]);
  const leadMask = tf.tensor2d(Float32Array.from(rows.leadMask), [b, c.leads]);
  const enc = model.encodeEcg(x, leadMask, mask);
  if (c.lambdaStmm <= 0) return { hEcg: enc.hEcg, hTxt };
  const pred = model.decoder.decode(tf.reshape(enc.tokens, [n, c.ecgDim]) as tf.Tensor2D);
  const target = tf.tensor2d(normalisePatches(rows.ecg, c.patchSize), [n, c.patchSize]);
  return { hEcg: enc.hEcg, hTxt, stmm: stmmLoss(pred, target, mask) };
}

/**
 * The batch-coupled terms (InfoNCE, disentanglement) of h_ecg, h_txt [B, ecgDim] of a whole batch with
 * its `pairKey` [B], through the shared encoder and the specific heads (only when λdis > 0).
 */
export function headLosses(
  model: CgDmerModel,
  hEcg: tf.Tensor2D,
  hTxt: tf.Tensor2D,
  pairKey: Int32Array,
): { clip: tf.Scalar; dis: tf.Scalar } {
  const specific =
    model.config.lambdaDis > 0
      ? { sEcg: model.specificFromEcg(hEcg), sTxt: model.specificFromText(hTxt) }
      : {};
  return headTerms(
    {
      zEcg: model.sharedFromEcg(hEcg),
      zTxt: model.sharedFromText(hTxt),
      logitScale: model.logitScale(),
      ...specific,
    },
    pairKey,
  );
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
  let hEcg: tf.Tensor2D;
  let hTxt: tf.Tensor2D;
  let stmm: tf.Scalar = tf.scalar(0);
  if (mode === 'pretrain') {
    if (!isPretrainBatch(batch))
      throw new InvalidArgumentError('batch', 'align batch', 'pretrain mode needs ecg and leadMask');
    const enc = encodePretrainRows(model, batch, pretrainMask(c, batch, maskSeed));
    hEcg = enc.hEcg;
    hTxt = enc.hTxt;
    if (enc.stmm) stmm = enc.stmm;
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
    hTxt = model.encodeText(batch.tokenIds, tf.tensor2d(Float32Array.from(batch.tokenMask), [b, len]));
    hEcg = tf.tensor2d(batch.hEcg, [b, c.ecgDim]);
  }
  const { clip, dis } = headLosses(model, hEcg, hTxt, batch.pairKey);
  return { total: weightedLoss({ clip, stmm, dis }, c), clip, stmm, dis };
}
