/** ROC curves on one shared false-positive-rate grid, so several classes plot against one x axis. */
import type { TrainingLogRecord } from './api-types.js';

/** `n + 1` evenly spaced points from 0 to 1. */
export function unitGrid(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  return Array.from({ length: n + 1 }, (_, i) => i / n);
}

/**
 * The ROC curve (`fpr`, `tpr`, both non-decreasing) as a step function sampled at `grid`: at each
 * false-positive rate, the best true-positive rate reached without exceeding it.
 */
export function rocOnGrid(fpr: readonly number[], tpr: readonly number[], grid: readonly number[]): number[] {
  if (fpr.length !== tpr.length)
    throw new RangeError(`fpr and tpr differ in length (${fpr.length} vs ${tpr.length})`);
  const out: number[] = [];
  let i = 0;
  let best = 0;
  for (const x of grid) {
    while (i < fpr.length && fpr[i]! <= x + 1e-12) {
      best = Math.max(best, tpr[i]!);
      i++;
    }
    out.push(best);
  }
  return out;
}

/** Per-epoch series of a training log: epochs on x, one series per loss key of `train` and `validation`. */
export function trainingSeries(
  log: readonly TrainingLogRecord[],
  key = 'total',
): { x: number[]; train: (number | null)[]; validation: (number | null)[] } {
  const x: number[] = [];
  const train: (number | null)[] = [];
  const validation: (number | null)[] = [];
  log.forEach((record, i) => {
    x.push(record.epoch ?? record.step ?? i + 1);
    train.push(record.train?.[key] ?? null);
    validation.push(record.validation?.[key] ?? null);
  });
  return { x, train, validation };
}
