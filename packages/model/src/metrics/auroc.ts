import { InvalidArgumentError } from '../errors.js';

/** Points of a ROC curve, from threshold +∞ (nothing predicted positive) down to the lowest score. */
export interface RocCurve {
  /** False-positive rate at each threshold, non-decreasing from 0 to 1. */
  readonly fpr: Float64Array;
  /** True-positive rate at each threshold, non-decreasing from 0 to 1. */
  readonly tpr: Float64Array;
  /** Score ≥ threshold counts as positive; the first entry is +Infinity. */
  readonly thresholds: Float64Array;
}

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new InvalidArgumentError('labels.length', labels.length, `expected ${scores.length} like scores`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) throw new InvalidArgumentError(`scores[${i}]`, 'NaN', 'expected a number');
  }
}

/** Indices sorted by descending score (stable, so equal scores keep input order). */
function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive scores
 * above a random negative, a tie counting 1/2 (so all-equal scores give 0.5). `labels` are 0/1 (any
 * non-zero is positive). Returns NaN when only one class is present: the AUROC is undefined there, and
 * callers (e.g. {@link macroAuroc}) skip such classes rather than invent a value. O(n log n).
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(scores, labels);
  const order = descendingOrder(scores);
  let positives = 0;
  let negatives = 0;
  // Walking from the highest score: each negative beats every positive already passed (strictly
  // higher), ties within a group count half.
  let wins = 0;
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i]!]!;
    let groupPos = 0;
    let groupNeg = 0;
    while (i < order.length && scores[order[i]!]! === s) {
      if (labels[order[i]!]! !== 0) groupPos++;
      else groupNeg++;
      i++;
    }
    // Positives above this group beat its negatives; the group's own pairs are ties.
    wins += groupNeg * positives + 0.5 * groupNeg * groupPos;
    positives += groupPos;
    negatives += groupNeg;
  }
  if (positives === 0 || negatives === 0) return Number.NaN;
  return wins / (positives * negatives);
}

/**
 * The ROC curve for plotting: one point per distinct score (tied scores move together, giving the
 * diagonal segments whose trapezoidal area is exactly {@link auroc}). With one class only, the rate of
 * the absent class is NaN throughout.
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  checkInputs(scores, labels);
  const order = descendingOrder(scores);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! !== 0) totalPos++;
  const totalNeg = labels.length - totalPos;
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Number.POSITIVE_INFINITY];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i]!]!;
    while (i < order.length && scores[order[i]!]! === s) {
      if (labels[order[i]!]! !== 0) tp++;
      else fp++;
      i++;
    }
    fpr.push(fp / totalNeg);
    tpr.push(tp / totalPos);
    thresholds.push(s);
  }
  return {
    fpr: Float64Array.from(fpr),
    tpr: Float64Array.from(tpr),
    thresholds: Float64Array.from(thresholds),
  };
}

/** Trapezoidal area under a curve given as matching x/y arrays (x non-decreasing). */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return area;
}
