import { type BootstrapInterval, type BootstrapOptions, percentileBootstrap } from './bootstrap.js';
import type { DenseMatrix } from './matrix.js';
import { checkKs, type Relevance, relevantRanks } from './recall-at-k.js';

/**
 * Percentile-bootstrap intervals of Recall@k, keyed `r${k}` like {@link recallAtK}. The queries are
 * resampled (those with a relevant item; the others are not scored, as in `recallAtK`); the gallery is
 * not: every resampled query still ranks against every item, so the task stays as hard as the figure's.
 * All k share the same resamples.
 */
export function recallIntervals(
  similarity: DenseMatrix,
  relevant: Relevance,
  ks: readonly number[] = [1, 5, 10],
  options: BootstrapOptions = {},
): Readonly<Record<string, BootstrapInterval>> {
  checkKs(ks);
  return recallIntervalsFromRanks(relevantRanks(similarity, relevant), ks, options);
}

/** {@link recallIntervals} from per-query ranks as {@link relevantRanks} gives them (-1: not scored). */
export function recallIntervalsFromRanks(
  ranks: ArrayLike<number>,
  ks: readonly number[] = [1, 5, 10],
  options: BootstrapOptions = {},
): Readonly<Record<string, BootstrapInterval>> {
  checkKs(ks);
  const scored = Array.from(ranks).filter((r) => r >= 0);
  const n = scored.length;
  const intervals = percentileBootstrap(
    n,
    (counts) =>
      ks.map((k) => {
        if (n === 0) return Number.NaN;
        let hits = 0;
        for (let q = 0; q < n; q++) if (scored[q]! < k) hits += counts[q]!;
        return hits / n;
      }),
    options,
  );
  const out: Record<string, BootstrapInterval> = {};
  ks.forEach((k, j) => {
    out[`r${k}`] = intervals[j]!;
  });
  return out;
}
