/**
 * The supervised baseline of the model issue: the same ECG encoder as a recipe's (same config, same
 * seeded random initialisation), trained from scratch with a linear head and binary cross-entropy on
 * the examples' class labels (e.g. PTB-XL's five diagnostic superclasses of folds 1–7), Adam with
 * warm-up + cosine learning rate and global-norm clipping, per-epoch validation with early stopping (the
 * best epoch's weights are restored), and its own sigmoid outputs scored by macro AUROC.
 */

import { Rng } from '@heartline/ecg';
import { type DenseMatrix, denseMatrix, type MacroAuroc, macroAuroc } from '@heartline/model/metrics';
import type { CgDmerConfig } from '@heartline/model/nn';
import * as tf from '@tensorflow/tfjs-core';
import type { ExampleSet } from '../data/example-set.js';
import { labelMatrix } from '../eval/zero-shot.js';
import { Adam, type AdamOptions } from '../loop/adam.js';
import { type LrSchedule, learningRate } from '../loop/schedule.js';
import { clipScale } from '../loop/step.js';
import { EcgClassifier } from './ecg-classifier.js';
import { sigmoidCrossEntropy } from './sigmoid-cross-entropy.js';

/** Options of {@link trainSupervisedBaseline}. */
export interface SupervisedBaselineOptions {
  /** The encoder's model config (e.g. a release's `manifest.config`). */
  readonly config: CgDmerConfig;
  /** Class codes, one output each (e.g. the diagnostic superclasses present). */
  readonly classes: readonly string[];
  readonly train: ExampleSet;
  /** Scored after every epoch for early stopping; without it the run goes its full length. */
  readonly validation?: ExampleSet;
  /** Seed of the initial weights and the batch order. Default 1 (as `heartline train`). */
  readonly seed?: number | string;
  /** Optimisation steps at most. Default 300. */
  readonly steps?: number;
  /** Default 32 (at most the training set's size). */
  readonly batchSize?: number;
  /** Learning-rate schedule. Default peak 1e-3. */
  readonly lr?: LrSchedule;
  readonly adam?: AdamOptions;
  /** Global gradient-norm clip. Default 1. */
  readonly clipNorm?: number;
  /** Epochs (one pass over the training set each) without a lower validation loss before stopping. Default 5. */
  readonly patience?: number;
  readonly onEpoch?: (record: SupervisedEpochRecord) => void;
  /** Told after every step (1-based step count) with its training loss. */
  readonly onStep?: (step: number, total: number, loss: number) => void;
  readonly signal?: AbortSignal;
}

/** What is told after every epoch. */
export interface SupervisedEpochRecord {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  /** Mean training loss of the epoch's steps. */
  readonly trainLoss: number;
  /** Validation loss (absent without a validation set). */
  readonly validationLoss?: number;
  readonly seconds: number;
}

/** What {@link trainSupervisedBaseline} returns; the caller owns (and disposes) the classifier. */
export interface SupervisedBaselineResult {
  /** The classifier with the best epoch's weights (the last epoch's without validation). */
  readonly classifier: EcgClassifier;
  readonly steps: number;
  readonly stoppedBy: 'steps' | 'early-stop' | 'aborted';
  /** The epoch whose weights were kept (1-based). */
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly history: readonly SupervisedEpochRecord[];
  /** Training loss of every step, in order. */
  readonly stepLosses: readonly number[];
}

/** Log-odds of each class's prevalence in `labels` (clamped away from 0 and 1), as the head's first bias. */
function priorLogOdds(labels: DenseMatrix): Float32Array {
  const out = new Float32Array(labels.cols);
  for (let c = 0; c < labels.cols; c++) {
    let positives = 0;
    for (let r = 0; r < labels.rows; r++) positives += labels.data[r * labels.cols + c]!;
    const p = Math.min(0.99, Math.max(0.01, positives / Math.max(1, labels.rows)));
    out[c] = Math.log(p / (1 - p));
  }
  return out;
}

/** Targets of `rows` [rows × classes] as a tensor. */
function targetsOf(labels: DenseMatrix, rows: readonly number[]): tf.Tensor2D {
  const c = labels.cols;
  const y = new Float32Array(rows.length * c);
  rows.forEach((r, i) => {
    for (let k = 0; k < c; k++) y[i * c + k] = labels.data[r * c + k]!;
  });
  return tf.tensor2d(y, [rows.length, c]);
}

/** Mean BCE of the classifier over a whole set, in chunks (no gradients). */
function setLoss(classifier: EcgClassifier, set: ExampleSet, labels: DenseMatrix): number {
  const chunk = 64;
  let sum = 0;
  for (let start = 0; start < set.size; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, set.size - start) }, (_, i) => start + i);
    const loss = tf.tidy(() => sigmoidCrossEntropy(classifier.logitsOf(set, rows), targetsOf(labels, rows)));
    sum += (loss.dataSync()[0] as number) * rows.length;
    loss.dispose();
  }
  return sum / Math.max(1, set.size);
}

/**
 * One step: BCE of a batch, gradients of the encoder and head, clipping, Adam. Tensor-neutral: the inputs
 * are built inside `variableGrads` (its forward scope frees them) and the loss and gradients are
 * disposed here.
 */
function supervisedStep(
  classifier: EcgClassifier,
  optimizer: Adam,
  variables: readonly tf.Variable[],
  set: ExampleSet,
  labels: DenseMatrix,
  rows: readonly number[],
  lr: number,
  clipNorm: number,
): number {
  const { value, grads } = tf.variableGrads(
    () => sigmoidCrossEntropy(classifier.logitsOf(set, rows), targetsOf(labels, rows)),
    [...variables],
  );
  const arrays = optimizer.readGradients(grads);
  optimizer.applyArrays(arrays, lr, clipScale(arrays.values(), clipNorm));
  const loss = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

/** Trains the supervised baseline; see {@link SupervisedBaselineOptions}. */
export function trainSupervisedBaseline(o: SupervisedBaselineOptions): SupervisedBaselineResult {
  const seed = o.seed ?? 1;
  const steps = o.steps ?? 300;
  const batchSize = Math.min(o.batchSize ?? 32, o.train.size);
  const clipNorm = o.clipNorm ?? 1;
  const patience = o.patience ?? 5;
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`trainSupervisedBaseline: steps = ${steps} must be a positive integer`);
  if (batchSize < 1) throw new RangeError('trainSupervisedBaseline: the training set is empty');
  const trainLabels = labelMatrix(o.train.labels, o.classes);
  const validationLabels = o.validation ? labelMatrix(o.validation.labels, o.classes) : undefined;
  const classifier = EcgClassifier.create(o.config, o.classes, {
    seed,
    initialBias: priorLogOdds(trainLabels),
  });
  const named = classifier.namedVariables();
  const variables = named.map(([, v]) => v);
  const optimizer = new Adam(named, o.adam);
  // Whole batches only (the order is reshuffled every epoch, so every example is seen over epochs).
  const stepsPerEpoch = Math.floor(o.train.size / batchSize);
  const started = performance.now();
  const history: SupervisedEpochRecord[] = [];
  const stepLosses: number[] = [];
  let best: { loss: number; epoch: number; weights: ReturnType<EcgClassifier['getWeights']> } | undefined;
  let stale = 0;
  let step = 0;
  let epoch = 0;
  let stoppedBy: SupervisedBaselineResult['stoppedBy'] = 'steps';
  try {
    while (step < steps) {
      if (o.signal?.aborted) {
        stoppedBy = 'aborted';
        break;
      }
      const order = new Rng(`supervised-batches:${String(seed)}:${epoch}`).shuffle([
        ...Array(o.train.size).keys(),
      ]);
      epoch += 1;
      const epochStart = performance.now();
      const losses: number[] = [];
      for (let i = 0; i < stepsPerEpoch && step < steps; i++) {
        const rows = order.slice(i * batchSize, (i + 1) * batchSize);
        const lr = learningRate(o.lr ?? {}, step, steps);
        const loss = supervisedStep(
          classifier,
          optimizer,
          variables,
          o.train,
          trainLabels,
          rows,
          lr,
          clipNorm,
        );
        if (!Number.isFinite(loss))
          throw new RangeError(`trainSupervisedBaseline: loss ${loss} at step ${step}`);
        losses.push(loss);
        stepLosses.push(loss);
        step += 1;
        o.onStep?.(step, steps, loss);
      }
      const validationLoss =
        o.validation && validationLabels ? setLoss(classifier, o.validation, validationLabels) : undefined;
      const record: SupervisedEpochRecord = {
        epoch,
        step,
        lr: learningRate(o.lr ?? {}, Math.max(0, step - 1), steps),
        trainLoss: losses.reduce((a, b) => a + b, 0) / Math.max(1, losses.length),
        ...(validationLoss !== undefined ? { validationLoss } : {}),
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(record);
      o.onEpoch?.(record);
      if (validationLoss !== undefined) {
        if (!best || validationLoss < best.loss) {
          best = { loss: validationLoss, epoch, weights: classifier.getWeights() };
          stale = 0;
        } else if (++stale >= patience) {
          stoppedBy = 'early-stop';
          break;
        }
      }
    }
    if (best) classifier.setWeights(best.weights);
  } catch (error) {
    try {
      classifier.dispose();
    } catch {
      // The training error is the one to report; a failed clean-up after it would hide it.
    }
    throw error;
  } finally {
    optimizer.dispose();
  }
  return {
    classifier,
    steps: step,
    stoppedBy,
    bestEpoch: best?.epoch ?? epoch,
    seconds: (performance.now() - started) / 1000,
    history,
    stepLosses,
  };
}

/** Macro AUROC (and per class) of the classifier's own sigmoid outputs on `set`. */
export function evaluateClassifier(classifier: EcgClassifier, set: ExampleSet): MacroAuroc {
  const c = classifier.classes.length;
  const scores = classifier.scores(set);
  return macroAuroc(
    denseMatrix(scores, set.size, c),
    labelMatrix(set.labels, classifier.classes),
    classifier.classes,
  );
}
