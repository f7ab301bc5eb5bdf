import { describe, expect, it } from 'vitest';
import { butterworth } from './butterworth.js';
import { ecgFilter } from './filter-cache.js';
import { sosfiltfilt, sosStepState } from './filtfilt.js';

const FS = 500;

function sine(f: number, seconds: number, fs = FS, phase = 0): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * fs) }, (_, i) =>
    Math.sin((2 * Math.PI * f * i) / fs + phase),
  );
}

// Least-squares amplitude and phase of a sine of known frequency over x[from..to) (whole cycles).
function fitSine(
  x: Float32Array,
  f: number,
  from: number,
  to: number,
  fs = FS,
): { amplitude: number; phase: number } {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const a = (2 * Math.PI * f * i) / fs;
    s += x[i]! * Math.sin(a);
    c += x[i]! * Math.cos(a);
  }
  const n = to - from;
  return { amplitude: (2 / n) * Math.hypot(s, c), phase: Math.atan2(c, s) };
}

// The middle half of the record, trimmed to whole cycles of f.
function middle(n: number, f: number, fs = FS): [number, number] {
  const period = fs / f;
  const from = Math.round(n / 4);
  const cycles = Math.floor(n / 2 / period);
  return [from, from + Math.round(cycles * period)];
}

describe('sosfiltfilt (band-pass 0.5–40 Hz + notch, at 500 Hz)', () => {
  const with50 = ecgFilter({ sampleRate: FS, band: [0.5, 40], order: 2, notchHz: 50, notchQ: 30 });
  const with60 = ecgFilter({ sampleRate: FS, band: [0.5, 40], order: 2, notchHz: 60, notchQ: 30 });

  it('passes a 10 Hz sine within 1 % amplitude', () => {
    for (const sos of [with50, with60]) {
      const y = sosfiltfilt(sos, sine(10, 20));
      const [from, to] = middle(y.length, 10);
      expect(Math.abs(fitSine(y, 10, from, to).amplitude - 1)).toBeLessThan(0.01);
    }
  });

  it('attenuates a 0.1 Hz sine by at least 20 dB', () => {
    const y = sosfiltfilt(with50, sine(0.1, 200));
    const [from, to] = middle(y.length, 0.1);
    expect(fitSine(y, 0.1, from, to).amplitude).toBeLessThan(0.1);
  });

  it('attenuates mains at 60 Hz with the 60 Hz notch and 50 Hz with the 50 Hz notch by at least 20 dB', () => {
    const y60 = sosfiltfilt(with60, sine(60, 20));
    const y50 = sosfiltfilt(with50, sine(50, 20));
    expect(fitSine(y60, 60, ...middle(y60.length, 60)).amplitude).toBeLessThan(0.1);
    expect(fitSine(y50, 50, ...middle(y50.length, 50)).amplitude).toBeLessThan(0.1);
  });

  it('does not move the peaks of a 10 Hz sine (zero phase)', () => {
    const x = sine(10, 10, FS, 0.3);
    const y = sosfiltfilt(with50, x);
    const peaks = (v: Float32Array) => {
      const out: number[] = [];
      for (let i = 500; i < v.length - 500; i++) if (v[i]! > v[i - 1]! && v[i]! >= v[i + 1]!) out.push(i);
      return out;
    };
    expect(peaks(y)).toEqual(peaks(x));
    const [from, to] = middle(x.length, 10);
    expect(Math.abs(fitSine(y, 10, from, to).phase - fitSine(x, 10, from, to).phase)).toBeLessThan(1e-3);
  });

  it('has no edge transient on a constant: low-pass keeps it, band-pass removes it', () => {
    const constant = new Float32Array(1000).fill(2.5);
    const lp = sosfiltfilt(butterworth({ kind: 'lowpass', order: 4, cutoff: 40, sampleRate: FS }), constant);
    const bp = sosfiltfilt(with50, constant);
    for (let i = 0; i < constant.length; i++) {
      expect(Math.abs(lp[i]! - 2.5)).toBeLessThan(1e-5);
      expect(Math.abs(bp[i]!)).toBeLessThan(1e-5);
    }
  });

  it('filters in place when out is the input, and copies signals too short to filter', () => {
    const x = sine(10, 2);
    const expected = sosfiltfilt(with50, x);
    expect(sosfiltfilt(with50, x, x)).toBe(x);
    expect(x).toEqual(expected);
    expect(sosfiltfilt(with50, Float32Array.of(3))).toEqual(Float32Array.of(3));
  });
});

describe('sosStepState', () => {
  it('starts a section in the steady state of a unit step: the output is the DC gain from the first sample', () => {
    const sos = butterworth({ kind: 'lowpass', order: 2, cutoff: 20, sampleRate: 100 });
    const [z0, z1] = sosStepState(sos);
    let state1 = z0!;
    let state2 = z1!;
    for (let n = 0; n < 5; n++) {
      const y = sos[0]! + state1;
      state1 = sos[1]! - sos[4]! * y + state2;
      state2 = sos[2]! - sos[5]! * y;
      expect(y).toBeCloseTo(1, 12);
    }
  });
});
