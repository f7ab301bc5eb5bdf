import { describe, expect, it } from 'vitest';
import { generateEcg } from './generate.js';
import { NO_NOISE, type NoiseOptions } from './noise.js';

/** Amplitude of the f-Hz component of x (single DFT bin over a whole number of periods). */
function amplitudeAt(x: ArrayLike<number>, fs: number, f: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += (x[i] as number) * Math.cos((2 * Math.PI * f * i) / fs);
    im -= (x[i] as number) * Math.sin((2 * Math.PI * f * i) / fs);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

function difference(noise: Partial<NoiseOptions>, lead = 6): Float64Array {
  const clean = generateEcg({ seed: 4, conditions: ['NORM'], noise: 'none' }).signal.leads[
    lead
  ] as Float32Array;
  const noisy = generateEcg({ seed: 4, conditions: ['NORM'], noise }).signal.leads[lead] as Float32Array;
  return Float64Array.from(noisy, (v, i) => v - (clean[i] as number));
}

describe('addNoise', () => {
  it('adds powerline at exactly 50 Hz with at most the requested amplitude', () => {
    const d = difference({ powerline: 0.05, powerlineHz: 50 });
    const a50 = amplitudeAt(d, 500, 50);
    expect(a50).toBeGreaterThan(0.02);
    expect(a50).toBeLessThanOrEqual(0.0501);
    expect(amplitudeAt(d, 500, 60)).toBeLessThan(0.001);
  });

  it('keeps baseline wander below 0.5 Hz', () => {
    const d = difference({ baselineWander: 0.3 });
    let low = 0;
    for (let f = 0.1; f <= 0.5; f += 0.1) low = Math.max(low, amplitudeAt(d, 500, f));
    let high = 0;
    for (let f = 1; f <= 20; f += 1) high = Math.max(high, amplitudeAt(d, 500, f));
    expect(low).toBeGreaterThan(0.02);
    expect(high).toBeLessThan(low / 5);
  });

  it('makes muscle noise mostly above 15 Hz', () => {
    const d = difference({ muscle: 0.05 });
    let low = 0;
    let high = 0;
    for (let f = 1; f <= 5; f += 1) low += amplitudeAt(d, 500, f);
    for (let f = 40; f <= 44; f += 1) high += amplitudeAt(d, 500, f);
    expect(high).toBeGreaterThan(2 * low);
  });

  it('turns one lead flat or to the rail when lead-off is certain, and reports it', () => {
    for (let seed = 0; seed < 10; seed++) {
      const e = generateEcg({ seed, noise: { ...NO_NOISE, leadOff: 1 } });
      const off = e.noise.leadOff;
      expect(off).toBeDefined();
      const lead = e.signal.leads[e.signal.leadNames.indexOf(off?.lead as string)] as Float32Array;
      expect(Math.min(...lead)).toBe(Math.max(...lead));
      expect(off?.mode === 'flat' ? lead[0] === 0 : Math.abs(lead[0] as number) > 32).toBe(true);
    }
  });
});
