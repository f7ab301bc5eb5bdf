/**
 * The ECG-specific encoder (the device model): patch embedding as reshape + one matMul, learned lead and
 * time embeddings, pre-LN blocks of factorised attention (temporal within each lead, then spatial across
 * the leads at each time step) and a feed-forward layer, a final norm, and a mean over the tokens of the
 * usable leads. Masked leads never reach another lead: their keys get −1e9 in spatial attention and they
 * are left out of the mean.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type CgDmerConfig, patchesPerLead } from './config.js';
import { registerGradients } from './gradients.js';
import { createDense, createNorm, type Dense, dense, layerNorm, type Norm } from './ops.js';
import {
  type AttentionWeights,
  attentionResidual,
  createAttention,
  createFfn,
  type FfnWeights,
  ffnResidual,
} from './transformer.js';
import type { WeightStore } from './weights.js';

/** What an ECG encoder returns. */
export interface EcgEncoding {
  /** Output tokens [B, leads·patches, d], lead-major (token = lead · patches + time). */
  readonly tokens: tf.Tensor3D;
  /** Mean of the usable leads' tokens [B, d]. */
  readonly hEcg: tf.Tensor2D;
}

/** An ECG encoder built into a weight store. */
export interface EcgEncoder {
  /**
   * x [B, leads, windowSamples]; leadMask [B, leads] (1 = usable); optional patchMask [B·leads·patches, 1]
   * (1 = replace the patch by the learned mask token, for masked modelling).
   */
  encode(x: tf.Tensor3D, leadMask: tf.Tensor2D, patchMask?: tf.Tensor2D): EcgEncoding;
}

interface Block {
  readonly temporal: AttentionWeights;
  readonly spatial: AttentionWeights;
  readonly ffn: FfnWeights;
}

/**
 * Creates the factorised spatial-temporal transformer. Weights: `ecg/patch/{w,b}`, `ecg/lead_emb`,
 * `ecg/time_emb`, `ecg/mask_token`, `ecg/block{i}/{temporal,spatial}/{norm,qkv,out}`,
 * `ecg/block{i}/ffn/{norm,fc1,fc2}`, `ecg/final_norm`.
 */
export function createFactorisedEcgEncoder(store: WeightStore, c: CgDmerConfig): EcgEncoder {
  // Its training needs the hand-registered gradients wherever it is built (also in worker threads).
  registerGradients();
  const d = c.ecgDim;
  const patches = patchesPerLead(c);
  const patch: Dense = createDense(store, 'ecg/patch', c.patchSize, d);
  const leadEmb = store.create('ecg/lead_emb', [c.leads, d], { kind: 'normal', std: 0.02 });
  const timeEmb = store.create('ecg/time_emb', [patches, d], { kind: 'normal', std: 0.02 });
  const maskToken = store.create('ecg/mask_token', [d], { kind: 'normal', std: 0.02 });
  const blocks: Block[] = [];
  for (let i = 0; i < c.ecgLayers; i++) {
    blocks.push({
      temporal: createAttention(store, `ecg/block${i}/temporal`, d),
      spatial: createAttention(store, `ecg/block${i}/spatial`, d),
      ffn: createFfn(store, `ecg/block${i}/ffn`, d, c.ffnMult),
    });
  }
  const finalNorm: Norm = createNorm(store, 'ecg/final_norm', d);

  return {
    encode(x, leadMask, patchMask) {
      const batch = x.shape[0];
      const n = batch * c.leads * patches;
      let h = dense(patch, tf.reshape(x, [n, c.patchSize]));
      if (patchMask) h = tf.add(h, tf.mul(patchMask, tf.sub(maskToken, h)));
      const pos = tf.add(tf.reshape(leadEmb, [c.leads, 1, d]), tf.reshape(timeEmb, [1, patches, d]));
      h = tf.reshape(
        tf.add(tf.reshape(h, [batch, c.leads * patches, d]), tf.reshape(pos, [1, c.leads * patches, d])),
        [n, d],
      );
      const grid = [batch, c.leads, patches];
      // Scores of spatial attention are [B·T·H, L, L]; viewed as [B, T·H·L, L] they take a per-key bias.
      const keyBias = tf.reshape(tf.mul(tf.sub(1, leadMask), -1e9), [batch, 1, c.leads]);
      const spatialBias = { tensor: keyBias, shape: [batch, patches * c.ecgHeads * c.leads, c.leads] };
      for (const block of blocks) {
        h = attentionResidual(block.temporal, h, { tokenShape: grid, seqAxis: 2, heads: c.ecgHeads });
        h = attentionResidual(block.spatial, h, {
          tokenShape: grid,
          seqAxis: 1,
          heads: c.ecgHeads,
          bias: spatialBias,
        });
        h = ffnResidual(block.ffn, h);
      }
      const tokens = tf.reshape(layerNorm(finalNorm, h), [batch, c.leads * patches, d]) as tf.Tensor3D;
      // Mean over usable leads only; an all-masked window pools to zeros instead of dividing by zero.
      const count = tf.maximum(tf.sum(leadMask, 1, true), 1);
      const weights = tf.div(leadMask, tf.mul(count, patches));
      const perToken = tf.reshape(tf.tile(tf.reshape(weights, [batch, c.leads, 1]), [1, 1, patches]), [
        batch,
        c.leads * patches,
        1,
      ]);
      const hEcg = tf.sum(tf.mul(tokens, perToken), 1) as tf.Tensor2D;
      return { tokens, hEcg };
    },
  };
}
