import { InvalidArgumentError } from '../errors.js';
import { auroc } from './auroc.js';
import { assertSameShape, type DenseMatrix, matrixColumn } from './matrix.js';

/** Macro-averaged AUROC over classes, with the per-class figures behind it. */
export interface MacroAuroc {
  /** Mean AUROC over the classes that have both positives and negatives; NaN when none has. */
  readonly macro: number;
  /** AUROC per class name (NaN for a skipped class). */
  readonly perClass: Readonly<Record<string, number>>;
  /** Classes left out of the mean because only one label value occurs for them. */
  readonly skipped: readonly string[];
}

/** Throws unless `classNames` has one name per column of `m`. */
export function checkClassNames(m: DenseMatrix, classNames: readonly string[]): void {
  if (classNames.length !== m.cols) {
    throw new InvalidArgumentError(
      'classNames.length',
      classNames.length,
      `expected ${m.cols} (one per column)`,
    );
  }
}

/**
 * One-vs-rest AUROC per class (column) of an n × C score matrix against an n × C 0/1 label matrix, and
 * their unweighted mean over the classes where both labels occur (the convention of the PTB-XL benchmark;
 * a class with no positives in the evaluation set cannot be ranked, so it is reported in `skipped`).
 */
export function macroAuroc(
  scores: DenseMatrix,
  labels: DenseMatrix,
  classNames: readonly string[],
): MacroAuroc {
  assertSameShape(scores, labels, 'labels');
  checkClassNames(scores, classNames);
  const perClass: Record<string, number> = {};
  const skipped: string[] = [];
  let sum = 0;
  let count = 0;
  classNames.forEach((name, c) => {
    const value = auroc(matrixColumn(scores, c), matrixColumn(labels, c));
    perClass[name] = value;
    if (Number.isNaN(value)) skipped.push(name);
    else {
      sum += value;
      count++;
    }
  });
  return { macro: count === 0 ? Number.NaN : sum / count, perClass, skipped };
}
