import { Rng } from '@heartline/ecg';
import { InvalidArgumentError } from '../errors.js';

/** A figure with the bounds of its confidence interval (NaN where undefined; `null` once in JSON). */
export interface ConfidenceInterval {
  /** The figure on the records as given (not a bootstrap mean). */
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** A percentile-bootstrap interval and how many of its resamples counted. */
export interface BootstrapInterval extends ConfidenceInterval {
  /** Resamples drawn. */
  readonly draws: number;
  /**
   * Resamples on which the figure was undefined (NaN: e.g. a class with no positive or no negative
   * drawn), left out of the percentiles rather than replaced by a made-up value.
   */
  readonly skipped: number;
}

/** Options of {@link percentileBootstrap} and the interval helpers built on it. */
export interface BootstrapOptions {
  /** Resamples. Default 1,000; an integer ≥ 1. */
  readonly draws?: number;
  /** Seed of the resampling stream; the same seed gives the same interval. Default 0. */
  readonly seed?: number | string;
  /** Coverage of the interval. Default 0.95; in (0, 1). */
  readonly level?: number;
}

/**
 * A statistic of a resample, given as a multiplicity per record (how often record i was drawn; the
 * counts sum to n). One value per figure, so several figures share each resample (a macro mean and its
 * per-class terms move together). NaN marks a figure undefined on that resample.
 */
export type ResampleStatistic = (counts: Uint32Array) => ArrayLike<number>;

/** The q-quantile of ascending `sorted` by linear interpolation between order statistics (R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Checks the options once and fills in the defaults. */
export function resolveBootstrapOptions(options: BootstrapOptions): Required<BootstrapOptions> {
  const draws = options.draws ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(draws) || draws < 1)
    throw new InvalidArgumentError('draws', draws, 'expected an integer ≥ 1');
  if (!(level > 0 && level < 1)) throw new InvalidArgumentError('level', level, 'expected 0 < level < 1');
  return { draws, level, seed: options.seed ?? 0 };
}

/**
 * Percentile bootstrap over n records (Efron & Tibshirani, ch. 13): `draws` times, n records are drawn
 * with replacement from a seeded stream and the statistic recomputed on them; each figure's interval is
 * the (1 − level)/2 and (1 + level)/2 quantiles of its defined resample values. The records are the
 * unit of resampling, so whatever the statistic holds fixed (a trained probe, a retrieval gallery) stays
 * fixed. A figure undefined on the full data gets NaN bounds; one undefined on every resample too.
 */
export function percentileBootstrap(
  n: number,
  statistic: ResampleStatistic,
  options: BootstrapOptions = {},
): BootstrapInterval[] {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('n', n, 'expected an integer ≥ 0');
  const { draws, level, seed } = resolveBootstrapOptions(options);
  const counts = new Uint32Array(n).fill(1);
  const point = Array.from(statistic(counts));
  const samples = point.map(() => new Float64Array(draws));
  const defined = new Uint32Array(point.length);
  const rng = new Rng(`bootstrap:${String(seed)}`);
  for (let b = 0; b < draws && n > 0; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(rng.uniform() * n)]!++;
    const values = statistic(counts);
    for (let f = 0; f < point.length; f++) {
      const v = values[f]!;
      if (!Number.isNaN(v)) samples[f]![defined[f]!++] = v;
    }
  }
  return point.map((value, f) => {
    const used = n > 0 ? defined[f]! : 0;
    if (Number.isNaN(value) || used === 0)
      return { value, low: Number.NaN, high: Number.NaN, draws, skipped: draws - used };
    const sorted = samples[f]!.subarray(0, used).sort();
    return {
      value,
      low: quantileSorted(sorted, (1 - level) / 2),
      high: quantileSorted(sorted, (1 + level) / 2),
      draws,
      skipped: draws - used,
    };
  });
}

/** Interval of the mean of per-record values (e.g. 0/1 hits of retrieval queries). */
export function meanInterval(values: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapInterval {
  const n = values.length;
  return percentileBootstrap(
    n,
    (counts) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += counts[i]! * values[i]!;
      return [n === 0 ? Number.NaN : sum / n];
    },
    options,
  )[0]!;
}
