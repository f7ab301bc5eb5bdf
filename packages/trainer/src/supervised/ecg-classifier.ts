/**
 * The supervised baseline's network: the CG-DMER ECG encoder (built by the model itself, so the config,
 * the encoder registry and the seeded initialisation are the pretraining's) and one linear layer on its
 * pooled representation h_ecg — the vector the linear probe reads — giving one logit per class.
 */

import { Rng } from '@heartline/ecg';
import { type CgDmerConfig, CgDmerModel, type WeightValue } from '@heartline/model/nn';
import * as tf from '@tensorflow/tfjs-core';
import type { ExampleSet } from '../data/example-set.js';

const CHUNK = 64;
const HEAD_WEIGHTS = 'head/w';
const HEAD_BIAS = 'head/b';

/** Options of {@link EcgClassifier.create}. */
export interface EcgClassifierOptions {
  /** Seed of the encoder (as `CgDmerModel.create`) and of the head. */
  readonly seed: number | string;
  /** Initial bias per class (e.g. the log-odds of the training prevalence). Default zeros. */
  readonly initialBias?: Float32Array;
}

/** ECG encoder + linear head; owns its tensors (call `dispose`). */
export class EcgClassifier {
  private constructor(
    private readonly model: CgDmerModel,
    private readonly weights: tf.Variable,
    private readonly bias: tf.Variable,
    /** Class codes, one per logit. */
    readonly classes: readonly string[],
  ) {}

  /** A randomly initialised classifier for `classes`; the encoder's weights equal a fresh model's of the same seed. */
  static create(
    config: CgDmerConfig,
    classes: readonly string[],
    options: EcgClassifierOptions,
  ): EcgClassifier {
    if (classes.length === 0) throw new RangeError('EcgClassifier: at least one class is needed');
    const model = CgDmerModel.create(config, options.seed);
    const d = config.ecgDim;
    const c = classes.length;
    // Xavier normal, as the model's own dense layers, from a stream of its own.
    const rng = new Rng(`supervised-head:${String(options.seed)}`);
    const std = Math.sqrt(2 / (d + c));
    const w = Float32Array.from({ length: d * c }, () => rng.normal(0, std));
    const b = options.initialBias ?? new Float32Array(c);
    if (b.length !== c) throw new RangeError(`EcgClassifier: initialBias has ${b.length} values, not ${c}`);
    const weights = tf.tidy(() => tf.variable(tf.tensor2d(w, [d, c]), true));
    const bias = tf.tidy(() => tf.variable(tf.tensor1d(b), true));
    return new EcgClassifier(model, weights, bias, classes);
  }

  /** The trainable variables with their names: the ECG encoder's, then `head/w`, `head/b`. */
  namedVariables(): [string, tf.Variable][] {
    return [...this.model.namedVariables(['ecg']), [HEAD_WEIGHTS, this.weights], [HEAD_BIAS, this.bias]];
  }

  /** Logits [B, classes] of x [B, leads, windowSamples] with leadMask [B, leads] (1 = usable). */
  logits(x: tf.Tensor3D, leadMask: tf.Tensor2D): tf.Tensor2D {
    const hEcg = this.model.encodeEcg(x, leadMask).hEcg;
    return tf.add(tf.matMul(hEcg, this.weights as tf.Tensor2D), this.bias);
  }

  /** Logits of examples `rows` of `set` as tensors, for training and validation. */
  logitsOf(set: ExampleSet, rows: readonly number[]): tf.Tensor2D {
    const { x, leadMask } = inputsOf(set, rows, this.model.config);
    return this.logits(x, leadMask);
  }

  /** σ(logits) of every example of `set`, row-major [size × classes], computed in chunks. */
  scores(set: ExampleSet): Float32Array {
    const c = this.classes.length;
    const out = new Float32Array(set.size * c);
    for (let start = 0; start < set.size; start += CHUNK) {
      const rows = Array.from({ length: Math.min(CHUNK, set.size - start) }, (_, i) => start + i);
      const probabilities = tf.tidy(() => tf.sigmoid(this.logitsOf(set, rows)));
      out.set(probabilities.dataSync(), start * c);
      probabilities.dispose();
    }
    return out;
  }

  /** Copies the trainable weights out by name (for keeping the best epoch). */
  getWeights(): Record<string, WeightValue> {
    const out: Record<string, WeightValue> = {};
    for (const [name, v] of this.namedVariables())
      out[name] = { shape: [...v.shape], values: (v.dataSync() as Float32Array).slice() };
    return out;
  }

  /** Overwrites the trainable weights from {@link getWeights}. */
  setWeights(weights: Readonly<Record<string, WeightValue>>): void {
    for (const [name, v] of this.namedVariables()) {
      const w = weights[name];
      if (!w) throw new RangeError(`EcgClassifier.setWeights: no values for "${name}"`);
      tf.tidy(() => v.assign(tf.tensor(w.values, [...w.shape], 'float32')));
    }
  }

  /** Releases every tensor. */
  dispose(): void {
    this.model.dispose();
    this.weights.dispose();
    this.bias.dispose();
  }
}

/** The windows and lead masks of `rows` of `set` as model inputs. */
function inputsOf(
  set: ExampleSet,
  rows: readonly number[],
  config: CgDmerConfig,
): { x: tf.Tensor3D; leadMask: tf.Tensor2D } {
  const window = config.leads * config.windowSamples;
  const windows = new Float32Array(rows.length * window);
  const masks = new Float32Array(rows.length * config.leads);
  rows.forEach((r, i) => {
    windows.set(set.windows.subarray(r * window, (r + 1) * window), i * window);
    masks.set(set.leadMasks.subarray(r * config.leads, (r + 1) * config.leads), i * config.leads);
  });
  return {
    x: tf.tensor3d(windows, [rows.length, config.leads, config.windowSamples]),
    leadMask: tf.tensor2d(masks, [rows.length, config.leads]),
  };
}
