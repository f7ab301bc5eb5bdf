/**
 * The CG-DMER model facade: builds every network into one weight store from a config and a seed, and
 * exposes the encoders, the shared space, weight groups and (de)serialisation. It only defines the
 * forward computations; losses and training live elsewhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';
import { type CgDmerConfig, patchesPerLead, validateConfig } from './config.js';
import type { EcgEncoder, EcgEncoding } from './ecg-encoder.js';
import { ECG_ENCODERS, lookupEncoder, TEXT_ENCODERS } from './registry.js';
import { createSharedEncoder, type SharedEncoder } from './shared-encoder.js';
import { createStmmDecoder, type StmmDecoder } from './stmm-decoder.js';
import type { TextEncoder } from './text-encoder.js';
import { groupOf, type WeightGroup, WeightStore, type WeightValue } from './weights.js';

/** Largest log(1/τ): τ ≥ 0.01, as CLIP clamps its logit scale at 100. */
export const MAX_LOG_SCALE = Math.log(100);

/** The CG-DMER networks and their weights. */
export class CgDmerModel {
  private constructor(
    /** The validated configuration the model was built from. */
    readonly config: CgDmerConfig,
    private readonly store: WeightStore,
    private readonly ecg: EcgEncoder,
    private readonly text: TextEncoder,
    private readonly sharedEncoder: SharedEncoder,
    /** The ST-MM reconstruction decoder. */
    readonly decoder: StmmDecoder,
    private readonly logScale: tf.Variable,
  ) {}

  /** Builds the model; the same config and seed give identical initial weights. */
  static create(config: CgDmerConfig, seed: number | string): CgDmerModel {
    const c = validateConfig(config);
    const ecgFactory = lookupEncoder(ECG_ENCODERS, 'ecgEncoder', c.ecgEncoder);
    const textFactory = lookupEncoder(TEXT_ENCODERS, 'textEncoder', c.textEncoder);
    const store = new WeightStore(seed);
    // Creation order fixes the random stream: ECG, text, shared + heads, decoder, temperature.
    const ecg = ecgFactory(store, c);
    const text = textFactory(store, c);
    const shared = createSharedEncoder(store, c);
    const decoder = createStmmDecoder(store, c);
    const logScale = store.create('temperature/log_scale', [], {
      kind: 'const',
      value: Math.log(1 / c.initialTemperature),
    });
    return new CgDmerModel(c, store, ecg, text, shared, decoder, logScale);
  }

  /** x [B, leads, windowSamples] (or its flat Float32Array), leadMask [B, leads] (1 = usable). */
  encodeEcg(x: tf.Tensor3D, leadMask: tf.Tensor2D, patchMask?: tf.Tensor2D): EcgEncoding {
    const c = this.config;
    if (x.shape[1] !== c.leads || x.shape[2] !== c.windowSamples) {
      throw new InvalidArgumentError('x.shape', x.shape, `must be [B, ${c.leads}, ${c.windowSamples}]`);
    }
    if (leadMask.shape[0] !== x.shape[0] || leadMask.shape[1] !== c.leads) {
      throw new InvalidArgumentError('leadMask.shape', leadMask.shape, `must be [${x.shape[0]}, ${c.leads}]`);
    }
    if (patchMask && patchMask.shape[0] !== x.shape[0] * c.leads * patchesPerLead(c)) {
      throw new InvalidArgumentError('patchMask.shape', patchMask.shape, 'must be [B·leads·patches, 1]');
    }
    return this.ecg.encode(x, tf.cast(leadMask, 'float32'), patchMask);
  }

  /** ids [B·L] int32 row-major, mask [B, L] (1 = real token) → h_txt [B, ecgDim]. */
  encodeText(ids: Int32Array, mask: tf.Tensor2D): tf.Tensor2D {
    const [batch, len] = mask.shape;
    if (len > this.config.maxTokens || ids.length !== batch * len) {
      throw new InvalidArgumentError(
        'tokenIds.length',
        ids.length,
        `must be B·L with L ≤ ${this.config.maxTokens} (mask is [${batch}, ${len}])`,
      );
    }
    for (const id of ids) {
      if (id < 0 || id >= this.config.vocabSize)
        throw new InvalidArgumentError('token id', id, `must be in [0, ${this.config.vocabSize})`);
    }
    return this.text.encode(ids, tf.cast(mask, 'float32'));
  }

  /** Shared-space vectors z_ecg [B, sharedDim] (unit length) from h_ecg. */
  sharedFromEcg(hEcg: tf.Tensor2D): tf.Tensor2D {
    return this.sharedEncoder.shared(hEcg, 'ecg');
  }

  /** Shared-space vectors z_txt [B, sharedDim] (unit length) from h_txt. */
  sharedFromText(hTxt: tf.Tensor2D): tf.Tensor2D {
    return this.sharedEncoder.shared(hTxt, 'text');
  }

  /** Modality-specific vectors s_ecg [B, specificDim] from h_ecg. */
  specificFromEcg(hEcg: tf.Tensor2D): tf.Tensor2D {
    return this.sharedEncoder.specific(hEcg, 'ecg');
  }

  /** Modality-specific vectors s_txt [B, specificDim] from h_txt. */
  specificFromText(hTxt: tf.Tensor2D): tf.Tensor2D {
    return this.sharedEncoder.specific(hTxt, 'text');
  }

  /** The InfoNCE logit scale 1/τ as a scalar tensor, clamped to [1, 100]. */
  logitScale(): tf.Scalar {
    return tf.exp(tf.clipByValue(this.logScale as tf.Scalar, 0, MAX_LOG_SCALE));
  }

  /** The trainable variables of one part of the model. */
  variables(group: WeightGroup): tf.Variable[] {
    return this.store.group(group);
  }

  /** The variables of the given groups with their weight names, in creation order. */
  namedVariables(groups: readonly WeightGroup[]): [string, tf.Variable][] {
    return this.store
      .names()
      .flatMap((name): [string, tf.Variable][] =>
        groups.includes(groupOf(name)) ? [[name, this.store.get(name)]] : [],
      );
  }

  /** Every weight name (`<group>/<module>/<param>`), in creation order; stable across versions. */
  weightNames(): string[] {
    return this.store.names();
  }

  /** Copies every weight out as { shape, values } by name (for checkpoints, releases, ONNX export). */
  getWeights(): Record<string, WeightValue> {
    return this.store.read();
  }

  /** Overwrites the weights by name; all must be present with their shapes unless `requireAll` is false. */
  setWeights(weights: Readonly<Record<string, WeightValue>>, requireAll = true): void {
    this.store.write(weights, requireAll);
  }

  /** Releases every tensor the model holds. */
  dispose(): void {
    this.store.dispose();
  }
}
