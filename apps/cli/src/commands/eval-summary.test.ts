import { describe, expect, it } from 'vitest';
import { fmtCi } from './eval-summary.js';

describe('fmtCi', () => {
  it('prints the figure to 3 places and its interval to 2', () => {
    expect(fmtCi({ value: 0.8, low: 0.7412, high: 0.8569 })).toBe('0.800 [0.74, 0.86]');
  });

  it('prints the figure alone where the interval is undefined, and n/a where the figure is', () => {
    expect(fmtCi({ value: 0.5, low: Number.NaN, high: Number.NaN })).toBe('0.500');
    expect(fmtCi({ value: Number.NaN, low: Number.NaN, high: Number.NaN })).toBe('n/a');
    expect(fmtCi(null)).toBe('n/a');
  });
});
