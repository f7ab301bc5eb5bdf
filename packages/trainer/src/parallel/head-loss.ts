/**
 * The batch-coupled part of a pretraining loss, from h_ecg and h_txt of the whole batch: shared encoder,
 * specific heads, InfoNCE and disentanglement, combined with the λ weights exactly as `computeLosses`
 * does (its ST-MM term comes from the workers).
 */
import { disentangleLoss, infoNce } from '@heartline/model/losses';
import type { CgDmerModel } from '@heartline/model/nn';
import * as tf from '@tensorflow/tfjs-core';

/** λclip·InfoNCE + λdis·disentanglement, and the two unweighted parts. */
export interface HeadLosses {
  readonly weighted: tf.Scalar;
  readonly clip: tf.Scalar;
  readonly dis: tf.Scalar;
}

/** Head losses of hEcg, hTxt [B, ecgDim] with `pairKey` [B]. */
export function headLosses(
  model: CgDmerModel,
  hEcg: tf.Tensor2D,
  hTxt: tf.Tensor2D,
  pairKey: Int32Array,
): HeadLosses {
  const c = model.config;
  const zEcg = model.sharedFromEcg(hEcg);
  const zTxt = model.sharedFromText(hTxt);
  const clip = infoNce(zEcg, zTxt, model.logitScale(), pairKey);
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
  const weighted = tf.add(tf.mul(clip, c.lambdaClip), tf.mul(dis, c.lambdaDis)) as tf.Scalar;
  return { weighted, clip, dis };
}
