/**
 * The BERT-like text encoder: token embedding (lookup with a JS scatter-add gradient), learned positions,
 * pre-LN transformer blocks with a padding mask, a final norm, the mean over real tokens, and, when its
 * width differs from the ECG encoder's, a projection to that width (the shared encoder takes one width).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CgDmerConfig } from './config.js';
import { registerGradients } from './gradients.js';
import { createDense, createNorm, type Dense, dense, embeddingLookup, layerNorm } from './ops.js';
import {
  type AttentionWeights,
  attentionResidual,
  createAttention,
  createFfn,
  type FfnWeights,
  ffnResidual,
} from './transformer.js';
import type { WeightStore } from './weights.js';

/** A text encoder built into a weight store. */
export interface TextEncoder {
  /** ids [B·L] (row-major, L ≤ maxTokens), mask [B, L] (1 = real token) → pooled h_txt [B, ecgDim]. */
  encode(ids: Int32Array, mask: tf.Tensor2D): tf.Tensor2D;
}

interface Block {
  readonly attention: AttentionWeights;
  readonly ffn: FfnWeights;
}

/**
 * Creates the small BERT. Weights: `text/token_emb` [V, d], `text/pos_emb` [maxTokens, d],
 * `text/block{i}/attention/{norm,qkv,out}`, `text/block{i}/ffn/{norm,fc1,fc2}`, `text/final_norm`, and
 * `text/proj/{w,b}` only when textDim ≠ ecgDim.
 */
export function createBertSmall(store: WeightStore, c: CgDmerConfig): TextEncoder {
  // Its training needs the hand-registered gradients wherever it is built (also in worker threads).
  registerGradients();
  const d = c.textDim;
  const tokenEmb = store.create('text/token_emb', [c.vocabSize, d], { kind: 'normal', std: 0.02 });
  const posEmb = store.create('text/pos_emb', [c.maxTokens, d], { kind: 'normal', std: 0.02 });
  const blocks: Block[] = [];
  for (let i = 0; i < c.textLayers; i++) {
    blocks.push({
      attention: createAttention(store, `text/block${i}/attention`, d),
      ffn: createFfn(store, `text/block${i}/ffn`, d, c.ffnMult),
    });
  }
  const finalNorm = createNorm(store, 'text/final_norm', d);
  const proj: Dense | undefined =
    c.textDim === c.ecgDim ? undefined : createDense(store, 'text/proj', d, c.ecgDim);

  return {
    encode(ids, mask) {
      const [batch, len] = mask.shape;
      const n = batch * len;
      let h = embeddingLookup(tokenEmb as tf.Tensor2D, ids);
      const pos = tf.slice(posEmb, [0, 0], [len, d]);
      h = tf.reshape(tf.add(tf.reshape(h, [batch, len, d]), pos), [n, d]);
      // Scores [B·H, L, L] viewed as [B, H·L, L] take the per-key padding bias.
      const bias = {
        tensor: tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [batch, 1, len]),
        shape: [batch, c.textHeads * len, len],
      };
      for (const block of blocks) {
        h = attentionResidual(block.attention, h, {
          tokenShape: [batch, len],
          seqAxis: 1,
          heads: c.textHeads,
          bias,
        });
        h = ffnResidual(block.ffn, h);
      }
      const tokens = tf.reshape(layerNorm(finalNorm, h), [batch, len, d]);
      const count = tf.maximum(tf.sum(mask, 1, true), 1);
      const weights = tf.reshape(tf.div(mask, count), [batch, len, 1]);
      const pooled = tf.sum(tf.mul(tokens, weights), 1) as tf.Tensor2D;
      return proj ? dense(proj, pooled) : pooled;
    },
  };
}
