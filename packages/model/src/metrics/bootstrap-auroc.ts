import { InvalidArgumentError } from '../errors.js';
import { type BootstrapInterval, type BootstrapOptions, percentileBootstrap } from './bootstrap.js';
import { checkClassNames } from './macro-auroc.js';
import { assertSameShape, type DenseMatrix, matrixColumn } from './matrix.js';

/** Bootstrap intervals of a macro AUROC and of each class's AUROC, all from the same resamples. */
export interface MacroAurocIntervals {
  /**
   * Mean AUROC over the classes defined on the full data. A resample on which any of them lacks a
   * positive or a negative is skipped (counted in `skipped`), so every resample averages the same classes.
   */
  readonly macro: BootstrapInterval;
  /** Per class name; a class undefined on the full data has NaN bounds. */
  readonly perClass: Readonly<Record<string, BootstrapInterval>>;
}

/**
 * AUROC of one column as a function of record multiplicities. The records are sorted by score once; each
 * resample is then one O(n) walk over tie groups, the Mann–Whitney count of {@link auroc} with every pair
 * weighted by how often its two records were drawn (equal to `auroc` on the resampled arrays).
 */
export function weightedAurocOf(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): (counts: Uint32Array) => number {
  if (scores.length !== labels.length)
    throw new InvalidArgumentError('labels.length', labels.length, `expected ${scores.length} like scores`);
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (const i of order)
    if (Number.isNaN(scores[i]!)) throw new InvalidArgumentError(`scores[${i}]`, 'NaN', 'expected a number');
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const sorted = Uint32Array.from(order);
  const positive = Uint8Array.from(order, (i) => (labels[i]! !== 0 ? 1 : 0));
  // Start of each run of equal scores, plus the end.
  const groupStarts: number[] = [];
  for (let k = 0; k < sorted.length; k++)
    if (k === 0 || scores[sorted[k]!]! !== scores[sorted[k - 1]!]!) groupStarts.push(k);
  groupStarts.push(sorted.length);
  return (counts) => {
    let positives = 0;
    let negatives = 0;
    let wins = 0;
    for (let g = 0; g + 1 < groupStarts.length; g++) {
      let groupPos = 0;
      let groupNeg = 0;
      for (let k = groupStarts[g]!; k < groupStarts[g + 1]!; k++) {
        const w = counts[sorted[k]!]!;
        if (positive[k] === 1) groupPos += w;
        else groupNeg += w;
      }
      wins += groupNeg * positives + 0.5 * groupNeg * groupPos;
      positives += groupPos;
      negatives += groupNeg;
    }
    return positives === 0 || negatives === 0 ? Number.NaN : wins / (positives * negatives);
  };
}

/** Percentile-bootstrap interval of one AUROC, records resampled; see {@link percentileBootstrap}. */
export function aurocInterval(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const of = weightedAurocOf(scores, labels);
  return percentileBootstrap(scores.length, (counts) => [of(counts)], options)[0]!;
}

/**
 * Intervals of the macro AUROC of an n × C score matrix (one-vs-rest, as {@link macroAuroc}) and of each
 * class's AUROC, records (rows) resampled with replacement. Resamples where a class that counts in the
 * macro mean has no positive or no negative are skipped and counted, the usual practice for bootstrap
 * AUROC with rare classes: the alternative, averaging fewer classes on those resamples, would mix
 * different figures into one interval.
 */
export function macroAurocIntervals(
  scores: DenseMatrix,
  labels: DenseMatrix,
  classNames: readonly string[],
  options: BootstrapOptions = {},
): MacroAurocIntervals {
  assertSameShape(scores, labels, 'labels');
  checkClassNames(scores, classNames);
  const perColumn = classNames.map((_, c) =>
    weightedAurocOf(matrixColumn(scores, c), matrixColumn(labels, c)),
  );
  const all = new Uint32Array(scores.rows).fill(1);
  const counted = perColumn.map((of) => !Number.isNaN(of(all)));
  const intervals = percentileBootstrap(
    scores.rows,
    (counts) => {
      const values = perColumn.map((of) => of(counts));
      let sum = 0;
      let used = 0;
      let undefinedClass = false;
      values.forEach((v, c) => {
        if (!counted[c]) return;
        if (Number.isNaN(v)) undefinedClass = true;
        sum += v;
        used++;
      });
      return [undefinedClass || used === 0 ? Number.NaN : sum / used, ...values];
    },
    options,
  );
  const perClass: Record<string, BootstrapInterval> = {};
  classNames.forEach((name, c) => {
    perClass[name] = intervals[c + 1]!;
  });
  return { macro: intervals[0]!, perClass };
}
