import { describe, expect, it } from 'vitest';
import { gaussian, testEcg } from '../quality/test-ecg.fixture.js';
import type { MultiLeadSignal } from './multi-lead-signal.js';
import { createPreprocessor, preprocess } from './preprocess.js';

const PTB_NAMES = [
  'i',
  'ii',
  'iii',
  'avr',
  'avl',
  'avf',
  'v1',
  'v2',
  'v3',
  'v4',
  'v5',
  'v6',
  'vx',
  'vy',
  'vz',
];

function record(sampleRate: number, seconds: number, names = PTB_NAMES): MultiLeadSignal {
  return {
    sampleRate,
    leadNames: names,
    leads: names.map((_, lead) => testEcg(sampleRate, seconds, 0.5 + 0.1 * lead, 0.01, lead + 1)),
  };
}

function meanAndStd(x: Float32Array): [number, number] {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  return [mean, Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length)];
}

describe('preprocess', () => {
  it('turns a 1000 Hz 15-lead record into one 12 × 1000 window of finite values', () => {
    const result = preprocess(record(1000, 10));
    expect(result.windowCount).toBe(1);
    expect(result.windowLength).toBe(1000);
    expect(result.windows.length).toBe(12 * 1000);
    expect(result.windows.every(Number.isFinite)).toBe(true);
    expect(result.ignoredLeads).toEqual(['vx', 'vy', 'vz']);
    expect(result.missingLeads).toEqual([]);
    expect([...result.leadMask]).toEqual(new Array(12).fill(1));
  });

  it('z-scores every usable lead of every window', () => {
    const result = preprocess(record(500, 30), { hopSeconds: 5 });
    // 30 s with 10 s windows every 5 s: starts at 0, 5, 10, 15, 20 s.
    expect(result.windowStarts).toEqual([0, 500, 1000, 1500, 2000]);
    for (let row = 0; row < result.windowCount * 12; row++) {
      const [mean, std] = meanAndStd(result.windows.subarray(row * 1000, (row + 1) * 1000));
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(std).toBeCloseTo(1, 4);
    }
  });

  it('zero-fills and masks the 11 leads an MIT-BIH record (MLII, V5 at 360 Hz) lacks', () => {
    const result = preprocess(record(360, 10, ['MLII', 'V5']));
    expect(result.missingLeads).toHaveLength(11);
    expect([...result.leadMask]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(result.windows.subarray(0, 10 * 1000).every((v) => v === 0)).toBe(true);
    expect(result.windows.subarray(10 * 1000, 11 * 1000).some((v) => v !== 0)).toBe(true);
  });

  it('masks a saturated lead and zeroes its rows', () => {
    const signal = record(500, 10);
    signal.leads[7]!.forEach((v, i, a) => {
      a[i] = Math.min(v, 0.4);
    });
    const result = preprocess(signal);
    expect(result.quality.leads[7]!.status).toBe('saturated');
    expect(result.leadMask[7]).toBe(0);
    expect(result.windows.subarray(7 * 1000, 8 * 1000).every((v) => v === 0)).toBe(true);
    expect(result.quality.score).toBeLessThan(preprocess(record(500, 10)).quality.score);
  });

  it('removes 50 Hz mains from a 500 Hz record (the resampler stops it at the 100 Hz target)', () => {
    const clean = record(500, 10, PTB_NAMES.slice(0, 12));
    const hum: MultiLeadSignal = {
      ...clean,
      leads: clean.leads.map((lead) => lead.map((v, i) => v + 0.5 * Math.sin((2 * Math.PI * 50 * i) / 500))),
    };
    const a = preprocess(clean, { normalisation: 'none' }).windows;
    const b = preprocess(hum, { normalisation: 'none' }).windows;
    // In mV, away from the last 0.5 s (a 50 Hz sine cannot be extended past the record's end without
    // some of it leaking in-band there), the 0.5 mV hum must be down by more than 34 dB (< 0.01 mV).
    let maxDiff = 0;
    for (let row = 0; row < 12; row++) {
      for (let t = 0; t < 950; t++)
        maxDiff = Math.max(maxDiff, Math.abs(a[row * 1000 + t]! - b[row * 1000 + t]!));
    }
    expect(maxDiff).toBeLessThan(0.01);
  });

  it('keeps output finite when samples are invalid (tried NaN bursts)', () => {
    const signal = record(250, 10);
    signal.leads[0]!.fill(Number.NaN, 100, 140);
    signal.leads[1]!.fill(Number.NaN, 0, 20);
    expect(preprocess(signal).windows.every(Number.isFinite)).toBe(true);
  });

  it('gives identical results when a preprocessor is reused', () => {
    const run = createPreprocessor({ normalisation: 'robust' });
    const first = run(record(500, 10)).windows.slice();
    run(record(500, 20));
    expect(run(record(500, 10)).windows).toEqual(first);
  });

  it('drops or pads the tail per option', () => {
    const signal = record(100, 25, PTB_NAMES.slice(0, 12));
    expect(preprocess(signal).windowCount).toBe(2);
    expect(preprocess(signal, { partial: 'pad' }).windowCount).toBe(3);
  });

  it('masks white noise far above the ECG', () => {
    const signal = record(500, 10);
    const noise = gaussian(3);
    signal.leads[2]!.forEach((v, i, a) => {
      a[i] = v + 3 * noise();
    });
    expect(preprocess(signal).quality.leads[2]!.status).toBe('noisy');
  });
});
