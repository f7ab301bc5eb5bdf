import { Rng } from '@heartline/ecg';
import { InvalidArgumentError } from '../errors.js';
import type { DenseMatrix } from './matrix.js';

/**
 * Chooses ⌈fraction·n⌉ training rows (at least 1) for a label-budget experiment (1 % / 10 % / 100 %),
 * deterministically from `seed`. With a label matrix `y` (n × C, 0/1) it first takes, class by class from
 * the rarest, one positive and one negative for every class that does not have them yet (so each
 * one-vs-rest probe can be fitted where the data allow it; this may exceed the budget by up to 2·C rows),
 * then fills the budget in shuffled order. Returns ascending row indices.
 */
export function labelFraction(
  n: number,
  fraction: number,
  seed: number | string,
  y?: DenseMatrix,
): Uint32Array {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('n', n, 'expected an integer ≥ 0');
  if (!(fraction > 0 && fraction <= 1))
    throw new InvalidArgumentError('fraction', fraction, 'expected 0 < fraction ≤ 1');
  if (y !== undefined && y.rows !== n) throw new InvalidArgumentError('Y.rows', y.rows, `expected n = ${n}`);
  const budget = n === 0 ? 0 : Math.max(1, Math.ceil(fraction * n - 1e-9));
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const chosen = new Uint8Array(n);
  let count = 0;
  const take = (i: number) => {
    if (chosen[i] === 0) {
      chosen[i] = 1;
      count++;
    }
  };
  if (y !== undefined && budget < n) {
    const c = y.cols;
    const positives = new Uint32Array(c);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) if (y.data[i * c + k]! !== 0) positives[k]!++;
    const classes = Array.from({ length: c }, (_, k) => k).sort(
      (a, b) => positives[a]! - positives[b]! || a - b,
    );
    for (const k of classes) {
      for (const want of [1, 0]) {
        let has = false;
        for (let i = 0; i < n && !has; i++)
          if (chosen[i] === 1 && (y.data[i * c + k]! !== 0 ? 1 : 0) === want) has = true;
        if (has) continue;
        const pick = order.find((i) => (y.data[i * c + k]! !== 0 ? 1 : 0) === want);
        if (pick !== undefined) take(pick);
      }
    }
  }
  for (const i of order) {
    if (count >= budget) break;
    take(i);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (chosen[i] === 1) out.push(i);
  return Uint32Array.from(out);
}
