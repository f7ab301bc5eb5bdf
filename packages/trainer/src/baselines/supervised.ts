import { type CgDmerConfig, CgDmerModel } from '@heartline/model/nn';
import { Rng } from '@heartline/model/synth';
import * as tf from '@tensorflow/tfjs-core';
import type { ExampleSet } from '../data/example-set.js';
import { labelMatrix } from '../eval/zero-shot.js';
import { Adam } from '../loop/adam.js';
import { learningRate } from '../loop/schedule.js';

/** Options of {@link trainSupervised}. */
export interface SupervisedOptions {
  readonly config: CgDmerConfig;
  readonly classes: readonly string[];
  readonly steps: number;
  readonly batchSize: number;
  readonly seed: number | string;
  readonly peakLr?: number;
  readonly onProgress?: (step: number, total: number, loss: number) => void;
}

/**
 * The supervised baseline of the model issue: the same ECG encoder plus a linear head trained from
 * scratch with binary cross-entropy on the class labels (no reports, no pretraining). Binary
 * cross-entropy is written as a two-way log-softmax over (0, logit), which is exact and needs only the
 * kernels whose gradients heartline registers. Returns the trained model (its ECG encoder gives h_ecg).
 */
export function trainSupervised(train: ExampleSet, o: SupervisedOptions): CgDmerModel {
  const model = CgDmerModel.create(o.config, o.seed);
  const c = o.config;
  const classes = o.classes.length;
  const rng = new Rng(`supervised-head:${String(o.seed)}`);
  const scale = Math.sqrt(2 / (c.ecgDim + classes));
  const head = tf.variable(
    tf.tensor2d(
      Float32Array.from({ length: c.ecgDim * classes }, () => rng.normal() * scale),
      [c.ecgDim, classes],
    ),
  );
  const bias = tf.variable(tf.zeros([classes]));
  const named: [string, tf.Variable][] = [
    ...model.namedVariables(['ecg']),
    ['head/w', head],
    ['head/b', bias],
  ];
  const optimizer = new Adam(named, {});
  const labels = labelMatrix(train.labels, o.classes);
  const window = c.leads * c.windowSamples;
  const order = [...Array(train.size).keys()];
  let cursor = train.size;
  for (let step = 0; step < o.steps; step++) {
    if (cursor + o.batchSize > train.size) {
      rng.shuffle(order);
      cursor = 0;
    }
    const rows = order.slice(cursor, cursor + o.batchSize);
    cursor += o.batchSize;
    const x = new Float32Array(rows.length * window);
    const mask = new Float32Array(rows.length * c.leads);
    const y = new Float32Array(rows.length * classes);
    rows.forEach((r, i) => {
      x.set(train.windows.subarray(r * window, (r + 1) * window), i * window);
      for (let l = 0; l < c.leads; l++) mask[i * c.leads + l] = train.leadMasks[r * c.leads + l]!;
      for (let k = 0; k < classes; k++) y[i * classes + k] = labels.data[r * classes + k]!;
    });
    const { value, grads } = tf.variableGrads(
      () => {
        const h = model.encodeEcg(
          tf.tensor3d(x, [rows.length, c.leads, c.windowSamples]),
          tf.tensor2d(mask, [rows.length, c.leads]),
        ).hEcg;
        const logits = tf.reshape(tf.add(tf.matMul(h, head), bias), [rows.length * classes, 1]);
        // [0, z] per (example, class) through a matMul, not a stack: only registered gradients are used.
        const pairs = tf.matMul(logits, tf.tensor2d([0, 1], [1, 2]));
        const targetValues = Float32Array.from({ length: rows.length * classes * 2 }, (_, j) =>
          j % 2 === 1 ? y[j >> 1]! : 1 - y[j >> 1]!,
        );
        const target = tf.tensor2d(targetValues, [rows.length * classes, 2]);
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(pairs, 1), target), 1))) as tf.Scalar;
      },
      named.map(([, v]) => v),
    );
    optimizer.apply(grads, learningRate({ peak: o.peakLr ?? 2e-3 }, step, o.steps));
    o.onProgress?.(step + 1, o.steps, value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
  }
  optimizer.dispose();
  tf.dispose([head, bias]);
  return model;
}
