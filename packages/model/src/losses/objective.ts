/**
 * The CG-DMER objective, defined once: total = λclip·clip + λstmm·stmm + λdis·dis, where clip is InfoNCE
 * between the shared vectors, stmm the masked-patch reconstruction loss and dis the disentanglement of
 * specific from shared vectors, averaged over the two modalities. Pure functions of the model's outputs;
 * the one-thread step and the data-parallel pool (whose workers each contribute a slice of stmm) both
 * compose them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disentangleLoss } from './disentangle.js';
import { infoNce } from './infonce.js';

/** The terms of the objective, in the order they are summed. */
export const LOSS_TERMS = ['clip', 'stmm', 'dis'] as const;

/** One term of the objective. */
export type LossTerm = (typeof LOSS_TERMS)[number];

/** Each term's weight, by the config field that holds it (`CgDmerConfig` has all three). */
export const LOSS_WEIGHT_OF = { clip: 'lambdaClip', stmm: 'lambdaStmm', dis: 'lambdaDis' } as const;

/** The λ weights of the objective; each ≥ 0, 0 switches its term off. */
export type LossWeights = Readonly<Record<(typeof LOSS_WEIGHT_OF)[LossTerm], number>>;

/** The outputs of the shared and specific heads over a whole batch: all the batch-coupled terms need. */
export interface HeadOutputs {
  /** z_ecg, z_txt [B, sharedDim], unit rows. */
  readonly zEcg: tf.Tensor2D;
  readonly zTxt: tf.Tensor2D;
  /** The InfoNCE logit scale 1/τ. */
  readonly logitScale: tf.Scalar;
  /** s_ecg, s_txt [B, specificDim]; leave both out when λdis is 0 (dis is then 0 and not computed). */
  readonly sEcg?: tf.Tensor2D;
  readonly sTxt?: tf.Tensor2D;
}

/** The unweighted batch-coupled terms: InfoNCE and disentanglement. */
export function headTerms(out: HeadOutputs, pairKey: Int32Array): { clip: tf.Scalar; dis: tf.Scalar } {
  const clip = infoNce(out.zEcg, out.zTxt, out.logitScale, pairKey);
  const dis =
    out.sEcg && out.sTxt
      ? (tf.mul(
          tf.add(disentangleLoss(out.sEcg, out.zEcg), disentangleLoss(out.sTxt, out.zTxt)),
          0.5,
        ) as tf.Scalar)
      : tf.scalar(0);
  return { clip, dis };
}

/** Σ λ·term over the terms given (a term left out contributes nothing), as a tensor to differentiate. */
export function weightedLoss(terms: Partial<Record<LossTerm, tf.Scalar>>, weights: LossWeights): tf.Scalar {
  const parts = LOSS_TERMS.flatMap((k) => {
    const t = terms[k];
    return t ? [tf.mul(t, weights[LOSS_WEIGHT_OF[k]])] : [];
  });
  if (parts.length === 0) return tf.scalar(0);
  return (parts.length === 1 ? parts[0] : tf.addN(parts)) as tf.Scalar;
}

/** Σ λ·term of terms already read back as numbers (summed in float64, in term order). */
export function weightedLossValue(terms: Readonly<Record<LossTerm, number>>, weights: LossWeights): number {
  return LOSS_TERMS.reduce((sum, k) => sum + weights[LOSS_WEIGHT_OF[k]] * terms[k], 0);
}
