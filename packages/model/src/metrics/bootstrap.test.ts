import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { meanInterval, percentileBootstrap, quantileSorted } from './bootstrap.js';

/** n values, the first `ones` of them 1 and the rest 0. */
function hits(n: number, ones: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i < ones ? 1 : 0));
}

describe('quantileSorted', () => {
  it('interpolates between order statistics (type 7)', () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    // h = 3 · 0.025 = 0.075 → 10 + 0.075 · (20 − 10).
    expect(quantileSorted([10, 20, 30, 40], 0.025)).toBeCloseTo(10.75, 12);
    expect(quantileSorted([7], 0.975)).toBe(7);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('percentileBootstrap', () => {
  it('gives the same interval for the same seed and a different one for another seed', () => {
    // Continuous values, so that two streams cannot land on the same quantiles by chance.
    const values = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const a = meanInterval(values, { seed: 3 });
    expect(meanInterval(values, { seed: 3 })).toEqual(a);
    expect(meanInterval(values, { seed: 4 }).low).not.toBe(a.low);
    expect(a).toMatchObject({ draws: 1000, skipped: 0 });
  });

  it('contains the point estimate and narrows as n grows', () => {
    const small = meanInterval(hits(20, 10), { seed: 1 });
    const large = meanInterval(hits(400, 200), { seed: 1 });
    for (const ci of [small, large]) {
      expect(ci.low).toBeLessThanOrEqual(ci.value);
      expect(ci.high).toBeGreaterThanOrEqual(ci.value);
    }
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 2);
    // Normal theory for p = 0.5, n = 400: ±1.96 · 0.025 = ±0.049.
    expect(large.low).toBeCloseTo(0.451, 1);
    expect(large.high).toBeCloseTo(0.549, 1);
  });

  it('collapses to the value when every record is the same', () => {
    expect(meanInterval(hits(30, 30))).toMatchObject({ value: 1, low: 1, high: 1 });
  });

  it('skips and counts resamples where the statistic is undefined, and widens with the level', () => {
    // Undefined whenever record 0 is not drawn: (1 − 1/5)^5 ≈ 33 % of resamples.
    const statistic = (counts: Uint32Array) => [counts[0] === 0 ? Number.NaN : counts[0]!];
    const [ci] = percentileBootstrap(5, statistic, { seed: 2 });
    expect(ci!.skipped).toBeGreaterThan(250);
    expect(ci!.skipped).toBeLessThan(420);
    const [narrow] = percentileBootstrap(5, statistic, { seed: 2, level: 0.5 });
    expect(narrow!.high - narrow!.low).toBeLessThanOrEqual(ci!.high - ci!.low);
  });

  it('gives NaN bounds for a figure undefined on the data or on every resample', () => {
    const [undefinedFigure] = percentileBootstrap(4, () => [Number.NaN], { draws: 10 });
    expect(undefinedFigure).toMatchObject({ low: Number.NaN, high: Number.NaN, skipped: 10 });
    expect(meanInterval([])).toMatchObject({ value: Number.NaN, low: Number.NaN, skipped: 1000 });
  });

  it('rejects a draw count or level out of range, naming it', () => {
    // Inputs tried: 0 draws, 2.5 draws, level 1.
    expect(() => meanInterval([1], { draws: 0 })).toThrow(InvalidArgumentError);
    expect(() => meanInterval([1], { draws: 2.5 })).toThrow(/draws/);
    expect(() => meanInterval([1], { level: 1 })).toThrow(/level/);
  });
});
