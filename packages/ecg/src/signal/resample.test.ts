import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { polyphaseFilter, resample, resampledLength, resamplePoly, resampleRatio } from './resample.js';

// Band-limited test signal: sines below 0.4 × the 50 Hz Nyquist of the 100 Hz target.
const TONES = [
  { f: 1.3, a: 1, phase: 0.2 },
  { f: 7.1, a: 0.6, phase: 1.1 },
  { f: 13.7, a: 0.4, phase: 2.3 },
  { f: 19.3, a: 0.3, phase: 0.7 },
];
const tones = (t: number) =>
  TONES.reduce((sum, { f, a, phase }) => sum + a * Math.sin(2 * Math.PI * f * t + phase), 0.5);
const sampled = (fs: number, seconds: number, fn = tones) =>
  Float32Array.from({ length: Math.round(fs * seconds) }, (_, i) => fn(i / fs));

// RMS error against the analytic signal over the samples at least `edge` seconds from either end.
function relativeRmsError(y: Float32Array, fs: number, edge: number, fn = tones): number {
  let err = 0;
  let power = 0;
  const from = Math.ceil(edge * fs);
  for (let i = from; i < y.length - from; i++) {
    const v = fn(i / fs);
    err += (y[i]! - v) ** 2;
    power += v * v;
  }
  return Math.sqrt(err / power);
}

describe('resampleRatio', () => {
  it('reduces the ratio by the gcd, including rational rates', () => {
    expect(resampleRatio(500, 100)).toEqual({ up: 1, down: 5 });
    expect(resampleRatio(360, 100)).toEqual({ up: 5, down: 18 });
    expect(resampleRatio(257, 100)).toEqual({ up: 100, down: 257 });
    expect(resampleRatio(100, 500)).toEqual({ up: 5, down: 1 });
    expect(resampleRatio(128.5, 100)).toEqual({ up: 200, down: 257 });
  });

  it('rejects a zero or negative rate (tried 0 Hz)', () => {
    expect(() => resampleRatio(0, 100)).toThrow(InvalidArgumentError);
    expect(() => resampleRatio(100, -1)).toThrow(/toRate/);
  });
});

describe('resample', () => {
  it.each([500, 1000, 360, 250, 257])(
    'resamples a band-limited signal from %i Hz to 100 Hz within 1 %% RMS',
    (fs) => {
      const y = resample(sampled(fs, 12), fs, 100);
      expect(y.length).toBe(1200);
      // The output sample m is compared with the analytic signal at m / 100 s: this also checks alignment.
      expect(relativeRmsError(y, 100, 1)).toBeLessThan(0.01);
    },
  );

  it('round-trips 100 → 500 → 100 Hz within 1 % RMS', () => {
    const x = sampled(100, 12);
    const up = resample(x, 100, 500);
    expect(up.length).toBe(6000);
    expect(relativeRmsError(up, 500, 1)).toBeLessThan(0.01);
    const back = resample(up, 500, 100);
    expect(relativeRmsError(back, 100, 1)).toBeLessThan(0.01);
  });

  it.each([
    [500, 55],
    [500, 70],
    [500, 130],
    [1000, 80],
    [360, 61],
    [257, 90],
  ])('suppresses a sine above the target Nyquist (%i Hz input, %i Hz sine) by at least 40 dB', (fs, f) => {
    const y = resample(
      sampled(fs, 12, (t) => Math.sin(2 * Math.PI * f * t)),
      fs,
      100,
    );
    let power = 0;
    for (let i = 100; i < y.length - 100; i++) power += y[i]! ** 2;
    const amplitude = Math.sqrt((2 * power) / (y.length - 200));
    expect(amplitude).toBeLessThan(0.01);
  });

  it('gives round(n · p / q) samples', () => {
    expect(resamplePoly(new Float32Array(1001), 100, 257).length).toBe(Math.round(100100 / 257));
    expect(resamplePoly(new Float32Array(1003), 1, 5).length).toBe(201);
    expect(resamplePoly(new Float32Array(7), 5, 18).length).toBe(2);
    expect(resampledLength(38400, 1, 10)).toBe(3840);
  });

  it('keeps a constant exactly constant up to the edges (each phase sums to one)', () => {
    const y = resample(new Float32Array(5000).fill(-1.25), 500, 100);
    for (const v of y) expect(v).toBeCloseTo(-1.25, 5);
  });

  it('copies the input unchanged when the rates are equal', () => {
    const x = sampled(100, 1);
    expect(resample(x, 100, 100)).toEqual(x);
  });

  it('caches the filter bank per ratio', () => {
    expect(polyphaseFilter(1, 5)).toBe(polyphaseFilter(1, 5));
    expect(polyphaseFilter(1, 5, { halfWidth: 8 })).not.toBe(polyphaseFilter(1, 5));
  });
});
