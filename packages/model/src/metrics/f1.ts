import { InvalidArgumentError } from '../errors.js';
import { checkClassNames } from './macro-auroc.js';
import { assertSameShape, type DenseMatrix, matrixColumn } from './matrix.js';

/** Counts and scores of a binary decision at one threshold. */
export interface F1Result {
  /** 2·TP / (2·TP + FP + FN); NaN when there is no positive label and no positive prediction. */
  readonly f1: number;
  /** TP / (TP + FP); NaN when nothing is predicted positive. */
  readonly precision: number;
  /** TP / (TP + FN); NaN when there is no positive label. */
  readonly recall: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

/** A threshold chosen to maximise F1, and the F1 it reached on the data it was chosen on. */
export interface F1Threshold {
  /** Predict positive when score ≥ threshold. */
  readonly threshold: number;
  readonly f1: number;
}

/** Macro-averaged F1 with the per-class figures behind it. */
export interface MacroF1 {
  /** Mean F1 over classes with at least one positive label; NaN when none has. */
  readonly macro: number;
  /** F1 per class name (NaN for a skipped class). */
  readonly perClass: Readonly<Record<string, number>>;
  /** Classes left out of the mean: no positive label in the evaluation set. */
  readonly skipped: readonly string[];
}

function checkLengths(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new InvalidArgumentError('labels.length', labels.length, `expected ${scores.length} like scores`);
  }
}

/** F1, precision and recall when `score ≥ threshold` is predicted positive (labels 0/1, non-zero positive). */
export function f1Score(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): F1Result {
  checkLengths(scores, labels);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i]! >= threshold;
    const actual = labels[i]! !== 0;
    if (predicted && actual) tp++;
    else if (predicted) fp++;
    else if (actual) fn++;
  }
  const denominator = 2 * tp + fp + fn;
  return {
    f1: denominator === 0 ? Number.NaN : (2 * tp) / denominator,
    precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp),
    recall: tp + fn === 0 ? Number.NaN : tp / (tp + fn),
    tp,
    fp,
    fn,
  };
}

/**
 * The threshold maximising F1 on the given (validation) scores, found in one sweep over the distinct
 * scores: it is one of the scores themselves, and on ties in F1 the highest threshold wins. Choose it on a
 * validation split and apply it to the test split; choosing it on the test split inflates F1.
 * Returns `{ threshold: +Infinity, f1: NaN }` when there is no positive label.
 */
export function bestF1Threshold(scores: ArrayLike<number>, labels: ArrayLike<number>): F1Threshold {
  checkLengths(scores, labels);
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! !== 0) totalPos++;
  if (totalPos === 0) return { threshold: Number.POSITIVE_INFINITY, f1: Number.NaN };
  let best: F1Threshold = { threshold: Number.POSITIVE_INFINITY, f1: 0 };
  let tp = 0;
  let predicted = 0;
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i]!]!;
    while (i < order.length && scores[order[i]!]! === s) {
      if (labels[order[i]!]! !== 0) tp++;
      predicted++;
      i++;
    }
    // F1 = 2TP / (predicted positives + actual positives).
    const f1 = (2 * tp) / (predicted + totalPos);
    if (f1 > best.f1) best = { threshold: s, f1 };
  }
  return best;
}

/**
 * Per-class F1 of an n × C score matrix against n × C 0/1 labels at one threshold for all classes or one
 * per class (e.g. from {@link bestF1Threshold} on a validation split), and their mean over the classes
 * that have at least one positive label.
 */
export function macroF1(
  scores: DenseMatrix,
  labels: DenseMatrix,
  classNames: readonly string[],
  thresholds: number | ArrayLike<number>,
): MacroF1 {
  assertSameShape(scores, labels, 'labels');
  checkClassNames(scores, classNames);
  if (typeof thresholds !== 'number' && thresholds.length !== classNames.length) {
    throw new InvalidArgumentError('thresholds.length', thresholds.length, `expected ${classNames.length}`);
  }
  const perClass: Record<string, number> = {};
  const skipped: string[] = [];
  let sum = 0;
  let count = 0;
  classNames.forEach((name, c) => {
    const t = typeof thresholds === 'number' ? thresholds : thresholds[c]!;
    const column = matrixColumn(labels, c);
    const result = f1Score(matrixColumn(scores, c), column, t);
    const hasPositive = result.tp + result.fn > 0;
    perClass[name] = hasPositive ? result.f1 : Number.NaN;
    if (!hasPositive) skipped.push(name);
    else {
      sum += result.f1;
      count++;
    }
  });
  return { macro: count === 0 ? Number.NaN : sum / count, perClass, skipped };
}
