import { describe, expect, it } from 'vitest';
import { ecgFilter } from '../signal/filter-cache.js';
import { sosfiltfilt } from '../signal/filtfilt.js';
import type { LeadQuality } from './lead-quality.js';
import { bandLeadStats, classifyLead, rawLeadStats } from './lead-quality.js';
import { summariseQuality } from './signal-quality.js';
import { gaussian, testEcg } from './test-ecg.fixture.js';

const FS = 500;
const sos = ecgFilter({ sampleRate: FS, band: [0.5, 40], order: 2, notchHz: 50, notchQ: 30 });
const assess = (raw: Float32Array): LeadQuality =>
  classifyLead(rawLeadStats(raw, FS), bandLeadStats(sosfiltfilt(sos, raw), FS));

const clean = (lead: number) => testEcg(FS, 10, 0.5 + 0.1 * lead, 0.01, lead + 1);
const flat = () => new Float32Array(FS * 10).fill(0.37);
const nearlyFlat = () => testEcg(FS, 10, 0.002, 0.001, 99); // 2 µV waves: an electrode that is off
// Clipped at 40 % of the R wave: the top of every QRS sits on the rail.
const saturated = () => clean(3).map((v) => Math.min(v, 0.4 * 0.8));
const noisy = () => {
  const noise = gaussian(7);
  return clean(5).map((v) => v + 2 * noise());
};

describe('rawLeadStats', () => {
  it('counts samples on a rail and the longest clipped run', () => {
    // 100 samples at 100 Hz: a ramp 0..0.89 then 10 samples held at 1.0.
    const x = Float32Array.from({ length: 100 }, (_, i) => (i < 90 ? i / 100 : 1));
    const stats = rawLeadStats(x, 100);
    expect(stats.max).toBe(1);
    // Mean = (Σ_{i<90} i/100 + 10) / 100 = (40.05 + 10) / 100 ≈ 0.5; max − mean > 0.3: the top is a rail.
    // The bottom (0) is also 0.5 from the mean, so the single sample 0 counts too: 11 of 100.
    expect(stats.railFraction).toBeCloseTo(0.11, 10);
    expect(stats.longestRailRunSeconds).toBeCloseTo(0.1, 10);
  });

  it('reports the invalid fraction of NaN samples', () => {
    expect(rawLeadStats(Float32Array.of(1, Number.NaN, 2, Number.NaN), 100).invalidFraction).toBe(0.5);
    expect(rawLeadStats(new Float32Array(4).fill(Number.NaN), 100).invalidFraction).toBe(1);
  });
});

describe('bandLeadStats', () => {
  it('gives the frequency of a pure sine as its equivalent frequency', () => {
    const x = Float32Array.from({ length: 5000 }, (_, i) => Math.sin((2 * Math.PI * 12 * i) / FS));
    const stats = bandLeadStats(x, FS);
    expect(stats.equivalentFrequencyHz).toBeCloseTo(12, 1);
    expect(stats.rms).toBeCloseTo(Math.SQRT1_2, 3);
  });
});

describe('classifyLead', () => {
  it('flags flat, saturated and noisy leads and passes clean ones', () => {
    expect(assess(clean(0)).status).toBe('ok');
    expect(assess(flat()).status).toBe('off');
    expect(assess(flat()).reasons).toContain('constant');
    expect(assess(nearlyFlat()).status).toBe('off');
    expect(assess(saturated()).status).toBe('saturated');
    expect(assess(noisy()).status).toBe('noisy');
  });

  it('does not call the noiseless baseline of an all-positive ECG a rail', () => {
    // Only positive waves: the minimum is the baseline itself, hit by most samples.
    const positive = testEcg(FS, 10, 1, 0, 1).map((v) => Math.max(v, 0));
    expect(assess(positive).status).toBe('ok');
  });

  it('calls a lead off when over half its samples are invalid (tried 60 % NaN)', () => {
    const x = clean(1);
    x.fill(Number.NaN, 0, 3000);
    const verdict = classifyLead(rawLeadStats(x, FS), { rms: 0.3, equivalentFrequencyHz: 8 });
    expect(verdict.status).toBe('off');
  });
});

describe('summariseQuality', () => {
  const leads = (bad: Record<number, () => Float32Array>) =>
    Array.from({ length: 12 }, (_, lead) => assess(bad[lead]?.() ?? clean(lead)));

  it('masks exactly the bad leads', () => {
    const quality = summariseQuality(leads({ 2: flat, 5: saturated, 9: noisy }));
    const expected = new Array(12).fill(1);
    expected[2] = 0;
    expected[5] = 0;
    expected[9] = 0;
    expect([...quality.leadMask]).toEqual(expected);
  });

  it('orders the score: clean > one bad lead > many bad leads', () => {
    const allClean = summariseQuality(leads({})).score;
    const oneBad = summariseQuality(leads({ 4: noisy })).score;
    const manyBad = summariseQuality(leads({ 0: flat, 1: saturated, 4: noisy, 7: flat, 11: noisy })).score;
    expect(allClean).toBeGreaterThan(oneBad);
    expect(oneBad).toBeGreaterThan(manyBad);
    expect(allClean).toBeLessThanOrEqual(1);
    // Masking a lead removes exactly its own score's twelfth.
    expect(allClean - oneBad).toBeCloseTo(assess(clean(4)).score / 12, 12);
    expect(manyBad).toBeGreaterThanOrEqual(0);
  });
});

describe('normalised leads (units NU)', () => {
  const assessAs = (raw: Float32Array, unit: 'mV' | 'normalised'): LeadQuality =>
    classifyLead(rawLeadStats(raw, FS), bandLeadStats(sosfiltfilt(sos, raw), FS), {}, unit);
  const zScored = (x: Float32Array, scale = 1) => {
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length);
    return x.map((v) => ((v - mean) / sd) * scale);
  };

  it('judges a z-scored lead by its shape, not its amplitude: tiny NU values are not a flat electrode', () => {
    const lead = zScored(clean(0), 0.004); // RMS 4 thousandths of a unit: "flat" if read as mV
    expect(assessAs(lead, 'mV').status).toBe('off');
    expect(assessAs(lead, 'normalised').status).toBe('ok');
    expect(assessAs(zScored(clean(0)), 'normalised').status).toBe('ok');
  });

  it('still finds what does not depend on scale: constant, clipped and noise-dominated leads', () => {
    expect(assessAs(flat(), 'normalised').status).toBe('off');
    expect(assessAs(zScored(saturated()), 'normalised').status).toBe('saturated');
    expect(assessAs(zScored(noisy()), 'normalised').status).toBe('noisy');
  });

  it('marks a z-scored electrode that was off (baseline drift, no ECG in band) flat by its own spread', () => {
    const drift = new Float32Array(FS * 10).map((_, i) => Math.sin((2 * Math.PI * 0.05 * i) / FS));
    const verdict = assessAs(zScored(drift), 'normalised');
    expect(verdict.status).toBe('off');
    expect(verdict.reasons[0]).toMatch(/NU/);
  });
});
