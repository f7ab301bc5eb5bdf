import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { sosMagnitude } from './butterworth.js';
import { iirNotch } from './notch.js';

describe('iirNotch', () => {
  it('is exactly zero at the notch and one at DC and Nyquist', () => {
    for (const [f0, fs] of [
      [50, 500],
      [60, 500],
      [60, 250],
    ] as const) {
      const sos = iirNotch(f0, fs);
      expect(sosMagnitude(sos, f0, fs)).toBeLessThan(1e-9);
      expect(sosMagnitude(sos, 0, fs)).toBeCloseTo(1, 12);
      expect(sosMagnitude(sos, fs / 2, fs)).toBeCloseTo(1, 12);
    }
  });

  it('has a −3 dB bandwidth of f0 / Q', () => {
    const fs = 500;
    const sos = iirNotch(50, fs, 30);
    // Bisection for the −3 dB points either side of the notch.
    const edge = (lo: number, hi: number, rising: boolean) => {
      for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        const below = sosMagnitude(sos, mid, fs) < Math.SQRT1_2;
        if (below === rising) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const width = edge(50, 60, true) - edge(40, 50, false);
    expect(width).toBeCloseTo(50 / 30, 1);
  });

  it('rejects a notch at or above Nyquist (tried 50 Hz at 100 Hz) and Q ≤ 0', () => {
    expect(() => iirNotch(50, 100)).toThrow(InvalidArgumentError);
    expect(() => iirNotch(50, 500, 0)).toThrow(/q/);
  });
});
