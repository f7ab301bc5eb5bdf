import { describe, expect, it } from 'vitest';
import { leadScale, normaliseLead } from './normalise.js';

describe('normaliseLead', () => {
  it('z-scores with the population standard deviation', () => {
    // [1..5]: mean 3, variance (4 + 1 + 0 + 1 + 4) / 5 = 2.
    const y = normaliseLead(Float32Array.of(1, 2, 3, 4, 5), 'zscore', new Float32Array(5));
    for (const [i, v] of [-2, -1, 0, 1, 2].entries()) expect(y[i]).toBeCloseTo(v / Math.SQRT2, 6);
  });

  it('scales robustly by 1.4826 × MAD so one huge artefact does not shrink the rest', () => {
    // [1, 2, 3, 4, 1000]: median 3, absolute deviations [2, 1, 0, 1, 997] → MAD 1.
    const y = normaliseLead(Float32Array.of(1, 2, 3, 4, 1000), 'robust', new Float32Array(5));
    expect(y[0]).toBeCloseTo(-2 / 1.4826, 5);
    expect(y[3]).toBeCloseTo(1 / 1.4826, 5);
    // Even length: median of [1, 2, 3, 10] is 2.5.
    expect(leadScale(Float32Array.of(10, 1, 3, 2), 'robust').centre).toBeCloseTo(2.5, 6);
  });

  it('falls back to the standard deviation when MAD is zero (tried a mostly constant lead with spikes)', () => {
    const x = new Float32Array(100).fill(1);
    x[10] = 5;
    const { scale } = leadScale(x, 'robust');
    // Standard deviation of 99 ones and one five: √(0.99 · 0.01 · 16) = √0.1584.
    expect(scale).toBeCloseTo(Math.sqrt(0.1584), 5);
  });

  it('turns a flat lead into zeros, never NaN or Infinity (tried constant, empty-spread and non-finite input)', () => {
    for (const mode of ['zscore', 'robust'] as const) {
      expect(normaliseLead(new Float32Array(10).fill(3.3), mode, new Float32Array(10))).toEqual(
        new Float32Array(10),
      );
      const bad = normaliseLead(
        Float32Array.of(1, Number.NaN, 2, Number.POSITIVE_INFINITY),
        mode,
        new Float32Array(4),
      );
      for (const v of bad) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('normalises only the given range, in place', () => {
    const x = Float32Array.of(9, 1, 3, 9);
    normaliseLead(x, 'zscore', x, 1, 2);
    expect([...x]).toEqual([9, -1, 1, 9]);
  });
});
