import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { generateEcg } from './generate.js';

// Independent measurements on the generated signal: nothing here reads the generator's internal parameters.

/** Slope energy summed over all leads (mV/s), the usual QRS detector front end. */
function slopeEnergy(leads: readonly Float32Array[], fs: number): Float64Array {
  const n = leads[0]?.length ?? 0;
  const s = new Float64Array(n);
  for (const lead of leads)
    for (let i = 1; i < n; i++)
      s[i] = (s[i] as number) + Math.abs((lead[i] as number) - (lead[i - 1] as number)) * fs;
  return s;
}

/** R-peak times (sample indices): maxima of the slope energy above 30 % of its maximum, 250 ms refractory. */
function detectBeats(leads: readonly Float32Array[], fs: number): number[] {
  const s = slopeEnergy(leads, fs);
  let max = 0;
  for (const v of s) max = Math.max(max, v);
  const threshold = 0.3 * max;
  const refractory = Math.round(0.25 * fs);
  const peaks: number[] = [];
  let i = 0;
  while (i < s.length) {
    if ((s[i] as number) > threshold) {
      let best = i;
      for (let j = i; j < Math.min(s.length, i + refractory); j++)
        if ((s[j] as number) > (s[best] as number)) best = j;
      peaks.push(best);
      i = best + refractory;
    } else i++;
  }
  return peaks;
}

function rrIntervals(peaks: readonly number[], fs: number): number[] {
  return peaks.slice(1).map((p, k) => (p - (peaks[k] as number)) / fs);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function cv(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) / m;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function heartRate(code: string, seed: number): number {
  const { signal } = generateEcg({ seed, conditions: [code], noise: 'none' });
  return 60 / median(rrIntervals(detectBeats(signal.leads, signal.sampleRate), signal.sampleRate));
}

/**
 * QRS width: around each beat's steepest point, the span where slope energy stays above 20 % of that
 * point's value, bridging dips shorter than 40 ms (between Q, R, S and R'); median over beats.
 */
function qrsDurationMs(code: string, seed: number): number {
  const { signal } = generateEcg({ seed, conditions: [code], noise: 'none' });
  const fs = signal.sampleRate;
  const s = slopeEnergy(signal.leads, fs);
  const gap = Math.round(0.04 * fs);
  const widths: number[] = [];
  for (const p of detectBeats(signal.leads, fs)) {
    if (p < 0.4 * fs || p > s.length - 0.4 * fs) continue;
    const threshold = 0.2 * (s[p] as number);
    const edge = (dir: 1 | -1) => {
      let last = p;
      for (let i = p; Math.abs(i - last) <= gap; i += dir) if ((s[i] as number) > threshold) last = i;
      return last;
    };
    widths.push(((edge(1) - edge(-1)) * 1000) / fs);
  }
  return median(widths);
}

/** P-peak to R-peak in lead II: the local maximum nearest before the R within 80–420 ms; median in ms. */
function pToRMs(code: string, seed: number): number {
  const { signal } = generateEcg({ seed, conditions: [code], noise: 'none' });
  const fs = signal.sampleRate;
  const ii = signal.leads[1] as Float32Array;
  const out: number[] = [];
  for (const p of detectBeats(signal.leads, fs)) {
    for (let i = p - Math.round(0.08 * fs); i > p - Math.round(0.42 * fs) && i > 1; i--) {
      const v = ii[i] as number;
      if (v > 0.04 && v >= (ii[i - 1] as number) && v >= (ii[i + 1] as number)) {
        out.push(((p - i) * 1000) / fs);
        break;
      }
    }
  }
  return median(out);
}

const SEEDS = [1, 2, 3, 4, 5, 6];

describe('generateEcg heart rate', () => {
  it('measures 60–100 bpm for NORM', () => {
    for (const seed of SEEDS) {
      const hr = heartRate('NORM', seed);
      expect(hr).toBeGreaterThan(60);
      expect(hr).toBeLessThan(100);
    }
  });
  it('measures under 60 bpm for SBRAD', () => {
    for (const seed of SEEDS) expect(heartRate('SBRAD', seed)).toBeLessThan(60);
  });
  it('measures over 100 bpm for STACH', () => {
    for (const seed of SEEDS) expect(heartRate('STACH', seed)).toBeGreaterThan(100);
  });
  it('gives irregular RR (CV > 0.1) for AFIB and regular RR (CV < 0.05) for NORM', () => {
    for (const seed of SEEDS) {
      const af = generateEcg({ seed, conditions: ['AFIB'], noise: 'none' }).signal;
      const norm = generateEcg({ seed, conditions: ['NORM'], noise: 'none' }).signal;
      expect(cv(rrIntervals(detectBeats(af.leads, af.sampleRate), af.sampleRate))).toBeGreaterThan(0.1);
      expect(cv(rrIntervals(detectBeats(norm.leads, norm.sampleRate), norm.sampleRate))).toBeLessThan(0.05);
    }
  });
  it('follows a PVC with a pause longer than the normal RR (compensatory pause)', () => {
    const { signal, findings } = generateEcg({ seed: 9, conditions: ['PVC'], noise: 'none' });
    const rr = rrIntervals(detectBeats(signal.leads, signal.sampleRate), signal.sampleRate);
    expect(findings.pvcCount).toBeGreaterThan(0);
    // A premature beat shows as a short interval followed by a long one: min < 0.8·median < 1.2·median < max.
    expect(Math.min(...rr)).toBeLessThan(0.8 * median(rr));
    expect(Math.max(...rr)).toBeGreaterThan(1.2 * median(rr));
  });
});

describe('generateEcg intervals', () => {
  it('has a longer PR in 1AVB (P–R peak > 200 ms) than in NORM (< 200 ms)', () => {
    for (const seed of SEEDS) {
      const avb = pToRMs('1AVB', seed);
      const norm = pToRMs('NORM', seed);
      expect(avb).toBeGreaterThan(200);
      expect(norm).toBeLessThan(200);
      expect(avb - norm).toBeGreaterThan(30);
    }
  });
  it('has QRS ≥ 120 ms in CLBBB and CRBBB and < 110 ms in NORM', () => {
    for (const seed of SEEDS) {
      expect(qrsDurationMs('CLBBB', seed)).toBeGreaterThanOrEqual(120);
      expect(qrsDurationMs('CRBBB', seed)).toBeGreaterThanOrEqual(120);
      expect(qrsDurationMs('NORM', seed)).toBeLessThan(110);
    }
  });
});

describe('generateEcg lead relations', () => {
  it('keeps III = II − I and aVR + aVL + aVF = 0 with noise and lead-off', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { signal } = generateEcg({
        seed,
        noise: { baselineWander: 0.3, muscle: 0.05, powerline: 0.05, electrodeMotion: 1, leadOff: 0.5 },
      });
      const [i, ii, iii, avr, avl, avf] = signal.leads as Float32Array[];
      for (let t = 0; t < (i?.length ?? 0); t += 7) {
        const a = i?.[t] as number;
        const b = ii?.[t] as number;
        expect(Math.abs((iii?.[t] as number) - (b - a))).toBeLessThan(1e-5);
        expect(Math.abs((avr?.[t] as number) + (avl?.[t] as number) + (avf?.[t] as number))).toBeLessThan(
          1e-5,
        );
      }
    }
  });
  it('shows R-wave progression: R in V5 larger than in V1 and S in V1 deeper than R in V1 (NORM)', () => {
    for (const seed of SEEDS) {
      const { signal } = generateEcg({ seed, conditions: ['NORM'], noise: 'none' });
      const v1 = signal.leads[6] as Float32Array;
      const v5 = signal.leads[10] as Float32Array;
      expect(Math.max(...v5)).toBeGreaterThan(Math.max(...v1));
      expect(-Math.min(...v1)).toBeGreaterThan(Math.max(...v1));
    }
  });
  it('produces the requested rate and length', () => {
    const e = generateEcg({ seed: 1, sampleRate: 100, seconds: 10 });
    expect(e.signal.sampleRate).toBe(100);
    expect(e.signal.leadNames).toEqual([
      'I',
      'II',
      'III',
      'aVR',
      'aVL',
      'aVF',
      'V1',
      'V2',
      'V3',
      'V4',
      'V5',
      'V6',
    ]);
    for (const lead of e.signal.leads) expect(lead.length).toBe(1000);
  });
});

describe('generateEcg conditions', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = generateEcg({ seed: 42 });
    const b = generateEcg({ seed: 42 });
    const c = generateEcg({ seed: 43 });
    expect(a.report).toBe(b.report);
    expect(Buffer.from((a.signal.leads[1] as Float32Array).buffer)).toEqual(
      Buffer.from((b.signal.leads[1] as Float32Array).buffer),
    );
    expect(Buffer.from((a.signal.leads[1] as Float32Array).buffer)).not.toEqual(
      Buffer.from((c.signal.leads[1] as Float32Array).buffer),
    );
  });
  it('adds SR when no rhythm is given and NORM when nothing is pathological', () => {
    expect(generateEcg({ seed: 1, conditions: ['CLBBB'] }).codes).toEqual(['SR', 'CLBBB']);
    expect(generateEcg({ seed: 1, conditions: [] }).codes).toEqual(['NORM', 'SR']);
  });
  it('rejects SBRAD+STACH, CLBBB+CRBBB and an unknown code XYZ with InvalidArgumentError', () => {
    expect(() => generateEcg({ seed: 1, conditions: ['SBRAD', 'STACH'] })).toThrow(InvalidArgumentError);
    expect(() => generateEcg({ seed: 1, conditions: ['CLBBB', 'CRBBB'] })).toThrow(InvalidArgumentError);
    expect(() => generateEcg({ seed: 1, conditions: ['XYZ'] })).toThrow(/XYZ/);
  });
  it('rejects a sample rate of 0 and a duration of 500 s', () => {
    expect(() => generateEcg({ seed: 1, sampleRate: 0 })).toThrow(InvalidArgumentError);
    expect(() => generateEcg({ seed: 1, seconds: 500 })).toThrow(InvalidArgumentError);
  });
  it('puts 4–9 Hz f-waves between AFIB beats in V1, absent in NORM', () => {
    const crossings = (code: string) => {
      const { signal } = generateEcg({ seed: 3, conditions: [code], noise: 'none' });
      const v1 = signal.leads[6] as Float32Array;
      const w = Math.round(0.1 * signal.sampleRate);
      // Sign changes of V1 minus its 200 ms moving average: fast oscillation, not the beats themselves.
      let count = 0;
      let prev = 0;
      for (let t = w; t < v1.length - w; t++) {
        let avg = 0;
        for (let k = -w; k <= w; k++) avg += v1[t + k] as number;
        const d = (v1[t] as number) - avg / (2 * w + 1);
        // Hysteresis of 0.01 mV so rounding ripple on a flat line does not count.
        if (Math.abs(d) < 0.01) continue;
        if (d * prev < 0) count++;
        prev = d;
      }
      return count;
    };
    // 4–9 Hz for 10 s is ≥ 80 crossings; sinus beats give a handful per beat (≈ 60 at most over 10 s).
    expect(crossings('AFIB')).toBeGreaterThan(80);
    expect(crossings('NORM')).toBeLessThan(80);
  });
});
