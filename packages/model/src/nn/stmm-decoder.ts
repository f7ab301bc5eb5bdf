/**
 * The ST-MM reconstruction decoder: a two-layer MLP applied to every ECG-specific output token, predicting
 * the (per-patch normalised) samples of its patch. It runs on all tokens as two 2-D matMuls (cheaper here
 * than gathering the masked ones, whose gradient the wasm backend lacks); the loss keeps masked ones only.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { CgDmerConfig } from './config.js';
import { createDense, type Dense, dense, gelu } from './ops.js';
import type { WeightStore } from './weights.js';

/** The decoder: tokens [N, ecgDim] → patch predictions [N, patchSize]. */
export interface StmmDecoder {
  decode(tokens: tf.Tensor2D): tf.Tensor2D;
}

/** Weights `decoder/fc1` [ecgDim, ffnMult·ecgDim], `decoder/fc2` [ffnMult·ecgDim, patchSize]. */
export function createStmmDecoder(store: WeightStore, c: CgDmerConfig): StmmDecoder {
  const fc1: Dense = createDense(store, 'decoder/fc1', c.ecgDim, c.ffnMult * c.ecgDim);
  const fc2: Dense = createDense(store, 'decoder/fc2', c.ffnMult * c.ecgDim, c.patchSize);
  return {
    decode: (tokens) => dense(fc2, gelu(dense(fc1, tokens))),
  };
}
