/**
 * The model's own weight store: named `tf.Variable`s grouped by part, initialised from a seeded stream so
 * the same seed gives bit-identical weights. Names are stable: checkpoints, releases and the ONNX
 * exporter address weights by them (`<group>/<module>/<param>`, e.g. `ecg/block0/temporal/qkv/w`).
 */

import { Rng } from '@heartline/ecg';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors.js';

/** The parts of the model; each trains or freezes as a whole. */
export type WeightGroup = 'ecg' | 'text' | 'shared' | 'heads' | 'decoder' | 'temperature';

/** Every weight group, in a stable order. */
export const WEIGHT_GROUPS: readonly WeightGroup[] = [
  'ecg',
  'text',
  'shared',
  'heads',
  'decoder',
  'temperature',
];

/** A serialisable weight: shape plus row-major values. */
export interface WeightValue {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** How a new weight is initialised. */
export type Init =
  | { readonly kind: 'xavier' }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'const'; readonly value: number };

/** Named, grouped trainable variables with deterministic initialisation. */
export class WeightStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly rng: Rng;

  /** A store whose initial values derive from `seed` and the order weights are created in. */
  constructor(seed: number | string) {
    this.rng = new Rng(`cg-dmer:${seed}`);
  }

  /** Creates the weight `name` (its first path segment is its group) with the given shape and init. */
  create(name: string, shape: readonly number[], init: Init): tf.Variable {
    if (this.vars.has(name)) throw new InvalidArgumentError('weight name', name, 'is already defined');
    groupOf(name);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init.kind === 'const') values.fill(init.value);
    else {
      // Xavier/Glorot normal over the last two axes (fan-in, fan-out); embeddings use an explicit std.
      const fanOut = shape[shape.length - 1] ?? 1;
      const fanIn = shape.length > 1 ? (shape[shape.length - 2] ?? 1) : fanOut;
      const std = init.kind === 'normal' ? init.std : Math.sqrt(2 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) values[i] = this.rng.normal(0, std);
    }
    // No engine-level name: TF.js variable names are global, and two models may live side by side.
    const initial = tf.tensor(values, [...shape], 'float32');
    const v = tf.variable(initial, true);
    initial.dispose();
    this.vars.set(name, v);
    return v;
  }

  /** The variable called `name`; throws when unknown. */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new InvalidArgumentError('weight name', name, 'is not a weight of this model');
    return v;
  }

  /** Every weight name, in creation order. */
  names(): string[] {
    return [...this.vars.keys()];
  }

  /** The variables of one group, in creation order. */
  group(group: WeightGroup): tf.Variable[] {
    return [...this.vars.entries()].filter(([name]) => groupOf(name) === group).map(([, v]) => v);
  }

  /** Copies every weight out as plain arrays (read outside any tidy: see DESIGN's setup facts). */
  read(): Record<string, WeightValue> {
    const out: Record<string, WeightValue> = {};
    for (const [name, v] of this.vars)
      out[name] = { shape: [...v.shape], values: v.dataSync() as Float32Array };
    return out;
  }

  /** Overwrites weights by name; every given weight must exist with the same shape. */
  write(weights: Readonly<Record<string, WeightValue>>, requireAll = true): void {
    for (const [name, w] of Object.entries(weights)) {
      const v = this.get(name);
      const same = w.shape.length === v.shape.length && w.shape.every((d, i) => d === v.shape[i]);
      const size = v.shape.reduce((a, b) => a * b, 1);
      if (!same || w.values.length !== size) {
        throw new InvalidArgumentError(
          `weights["${name}"].shape`,
          w.shape,
          `must be [${v.shape.join(', ')}]`,
        );
      }
    }
    if (requireAll) {
      const missing = this.names().filter((n) => !(n in weights));
      if (missing.length > 0) throw new InvalidArgumentError('weights', missing.slice(0, 5), 'are missing');
    }
    for (const [name, w] of Object.entries(weights)) {
      const v = this.get(name);
      tf.tidy(() => v.assign(tf.tensor(w.values, [...w.shape], 'float32')));
    }
  }

  /** Releases every variable. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** The group a weight belongs to: the first segment of its name. */
export function groupOf(name: string): WeightGroup {
  const head = name.split('/')[0] as WeightGroup;
  if (!WEIGHT_GROUPS.includes(head)) {
    throw new InvalidArgumentError('weight name', name, `must start with one of ${WEIGHT_GROUPS.join(', ')}`);
  }
  return head;
}
