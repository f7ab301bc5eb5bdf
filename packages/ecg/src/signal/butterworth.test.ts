import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { butterworth, sosMagnitude } from './butterworth.js';

const FS = 1000;
const w = (f: number) => Math.tan((Math.PI * f) / FS);

describe('butterworth', () => {
  it('gives the hand-worked 2nd-order low-pass at fs/4', () => {
    // ωc = tan(π/4) = 1: b = [1, 2, 1] / (2 + √2), a = [1, 0, (2 − √2) / (2 + √2)].
    const sos = butterworth({ kind: 'lowpass', order: 2, cutoff: 250, sampleRate: 1000 });
    const k = 1 / (2 + Math.SQRT2);
    const expected = [k, 2 * k, k, 1, 0, (2 - Math.SQRT2) / (2 + Math.SQRT2)];
    expect(sos).toHaveLength(6);
    for (const [i, v] of expected.entries()) expect(sos[i]).toBeCloseTo(v, 12);
    expect(sos[0]).toBeCloseTo(0.2929, 4);
    expect(sos[5]).toBeCloseTo(0.1716, 4);
  });

  it('gives the hand-worked 1st-order low-pass and 2nd-order high-pass at fs/4', () => {
    expect([...butterworth({ kind: 'lowpass', order: 1, cutoff: 250, sampleRate: 1000 })]).toEqual(
      [0.5, 0.5, 0, 1, 0, 0].map((v) => expect.closeTo(v, 12)),
    );
    const k = 1 / (2 + Math.SQRT2);
    const hp = butterworth({ kind: 'highpass', order: 2, cutoff: 250, sampleRate: 1000 });
    const hpExpected = [k, -2 * k, k, 1, 0, (2 - Math.SQRT2) / (2 + Math.SQRT2)];
    for (const [i, v] of hpExpected.entries()) expect(hp[i]).toBeCloseTo(v, 12);
  });

  it('is −3 dB at the cut-off for every order and kind', () => {
    for (let order = 1; order <= 8; order++) {
      const lp = butterworth({ kind: 'lowpass', order, cutoff: 40, sampleRate: FS });
      const hp = butterworth({ kind: 'highpass', order, cutoff: 0.5, sampleRate: FS });
      const bp = butterworth({ kind: 'bandpass', order, cutoff: [0.5, 40], sampleRate: FS });
      expect(sosMagnitude(lp, 40, FS)).toBeCloseTo(Math.SQRT1_2, 9);
      expect(sosMagnitude(hp, 0.5, FS)).toBeCloseTo(Math.SQRT1_2, 9);
      expect(sosMagnitude(bp, 0.5, FS)).toBeCloseTo(Math.SQRT1_2, 9);
      expect(sosMagnitude(bp, 40, FS)).toBeCloseTo(Math.SQRT1_2, 9);
    }
  });

  it('matches the analytic Butterworth magnitude of the pre-warped prototype', () => {
    const order = 3;
    const lp = butterworth({ kind: 'lowpass', order, cutoff: 40, sampleRate: FS });
    const bp = butterworth({ kind: 'bandpass', order, cutoff: [0.5, 40], sampleRate: FS });
    const [w1, w2] = [w(0.5), w(40)];
    for (const f of [0.1, 1, 5, 10, 30, 60, 120, 400]) {
      const lpExpected = 1 / Math.sqrt(1 + (w(f) / w(40)) ** (2 * order));
      const x = (w(f) ** 2 - w1 * w2) / ((w2 - w1) * w(f));
      const bpExpected = 1 / Math.sqrt(1 + x ** (2 * order));
      expect(sosMagnitude(lp, f, FS)).toBeCloseTo(lpExpected, 9);
      expect(sosMagnitude(bp, f, FS)).toBeCloseTo(bpExpected, 9);
    }
  });

  it('places every pole inside the unit circle for a narrow low edge at a high rate', () => {
    const sos = butterworth({ kind: 'bandpass', order: 6, cutoff: [0.05, 150], sampleRate: 2000 });
    for (let s = 0; s < sos.length; s += 6) {
      // For z² + a1 z + a2 the product of the roots is a2; complex pairs have |p|² = a2.
      const a1 = sos[s + 4]!;
      const a2 = sos[s + 5]!;
      const disc = a1 * a1 - 4 * a2;
      const radius =
        disc < 0
          ? Math.sqrt(a2)
          : Math.max(Math.abs((-a1 + Math.sqrt(disc)) / 2), Math.abs((-a1 - Math.sqrt(disc)) / 2));
      expect(radius).toBeLessThan(1);
    }
  });

  it('rejects a cut-off at or above Nyquist (tried 60 Hz at 100 Hz) and a bad order (tried 0)', () => {
    expect(() => butterworth({ kind: 'lowpass', order: 2, cutoff: 60, sampleRate: 100 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => butterworth({ kind: 'lowpass', order: 0, cutoff: 10, sampleRate: 100 })).toThrow(/order/);
    expect(() => butterworth({ kind: 'bandpass', order: 2, cutoff: [40, 0.5], sampleRate: 100 })).toThrow(
      /low < high/,
    );
  });
});
