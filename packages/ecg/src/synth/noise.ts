import { CANONICAL_LEADS } from '../signal/leads.js';
import type { Rng } from '../util/rng.js';
import { deriveLimbLeads } from './lead-projection.js';

/** Intensities of each artefact (0 disables it). */
export interface NoiseOptions {
  /** Baseline wander peak amplitude in mV (respiration band 0.05–0.5 Hz). Typical 0–0.3. */
  readonly baselineWander: number;
  /** Muscle (EMG-like, band-limited 20–150 Hz, bursty) RMS in mV. Typical 0–0.05. */
  readonly muscle: number;
  /** Powerline amplitude in mV. Typical 0–0.05. */
  readonly powerline: number;
  /** Mains frequency in Hz. Default 50. */
  readonly powerlineHz: 50 | 60;
  /** Electrode-motion burst amplitude in mV (low-frequency transients). Typical 0–1. */
  readonly electrodeMotion: number;
  /** Probability that one electrode is off: its lead reads flat or at the rail. */
  readonly leadOff: number;
}

/** No artefacts at all. */
export const NO_NOISE: NoiseOptions = {
  baselineWander: 0,
  muscle: 0,
  powerline: 0,
  powerlineHz: 50,
  electrodeMotion: 0,
  leadOff: 0,
};

/** What was added, in PTB-XL's metadata vocabulary where it has one. */
export interface NoiseReport {
  /** Leads with baseline wander above 0.1 mV. */
  readonly baselineDriftLeads: readonly string[];
  /** Leads with visible muscle or powerline noise. */
  readonly staticNoiseLeads: readonly string[];
  /** Leads hit by electrode-motion bursts. */
  readonly burstNoiseLeads: readonly string[];
  /** The lead that is off and how it reads, if any. */
  readonly leadOff?: { readonly lead: string; readonly mode: 'flat' | 'rail' };
}

/** Draws seeded artefact intensities: most records mildly noisy, a few bad. */
export function sampleNoiseOptions(rng: Rng): NoiseOptions {
  return {
    baselineWander: rng.chance(0.7) ? rng.uniform(0.02, 0.3) : 0,
    muscle: rng.chance(0.5) ? rng.uniform(0.003, 0.04) : 0,
    powerline: rng.chance(0.35) ? rng.uniform(0.003, 0.04) : 0,
    powerlineHz: rng.chance(0.85) ? 50 : 60,
    electrodeMotion: rng.chance(0.12) ? rng.uniform(0.2, 1) : 0,
    leadOff: 0.03,
  };
}

/** The independent leads (I, II, V1–V6) that carry electrode noise; the rest are derived afterwards. */
const INDEPENDENT = [0, 1, 6, 7, 8, 9, 10, 11];

/** Rail value in mV: the largest value format 16 holds at gain 1000. */
export const RAIL_MV = 32.767;

/**
 * Adds artefacts in place to 12-lead signals (CANONICAL_LEADS order) and re-derives III, aVR, aVL, aVF from
 * the noisy I and II, as an electrocardiograph does, so Einthoven's relations still hold.
 */
export function addNoise(
  leads: Float64Array[],
  sampleRate: number,
  opts: NoiseOptions,
  rng: Rng,
): NoiseReport {
  const n = leads[0]?.length ?? 0;
  const drift: string[] = [];
  const stat: string[] = [];
  const burst: string[] = [];
  const nyquist = sampleRate / 2;
  const respiration = rng.uniform(0.15, 0.4);
  const slow = rng.uniform(0.03, 0.1);
  for (const li of INDEPENDENT) {
    const lead = leads[li] as Float64Array;
    const name = CANONICAL_LEADS[li] as string;
    const bwA = opts.baselineWander * rng.uniform(0.3, 1);
    const bwB = opts.baselineWander * rng.uniform(0, 0.6);
    const ph1 = rng.uniform(0, 2 * Math.PI);
    const ph2 = rng.uniform(0, 2 * Math.PI);
    const plA = opts.powerline * rng.uniform(0.5, 1);
    const plPh = rng.uniform(0, 2 * Math.PI);
    const usePowerline = plA > 0 && opts.powerlineHz < nyquist * 0.95;
    for (let i = 0; i < n; i++) {
      const t = i / sampleRate;
      let v =
        bwA * Math.sin(2 * Math.PI * respiration * t + ph1) + bwB * Math.sin(2 * Math.PI * slow * t + ph2);
      if (usePowerline) v += plA * Math.sin(2 * Math.PI * opts.powerlineHz * t + plPh);
      lead[i] = (lead[i] as number) + v;
    }
    if (bwA + bwB > 0.1) drift.push(name);
    if (opts.muscle > 0) addMuscle(lead, sampleRate, opts.muscle * rng.uniform(0.4, 1.2), rng);
    if (opts.muscle > 0.01 || plA > 0.01) stat.push(name);
  }
  if (opts.electrodeMotion > 0) {
    const count = rng.int(1, 3);
    for (let b = 0; b < count; b++) {
      const li = rng.choice(INDEPENDENT);
      addMotionBurst(leads[li] as Float64Array, sampleRate, opts.electrodeMotion, rng);
      const name = CANONICAL_LEADS[li] as string;
      if (!burst.includes(name)) burst.push(name);
    }
  }
  let leadOff: NoiseReport['leadOff'];
  if (rng.chance(opts.leadOff)) {
    const li = rng.choice(INDEPENDENT);
    const mode = rng.chance(0.7) ? 'flat' : 'rail';
    const lead = leads[li] as Float64Array;
    // A floating electrode reads the reference (flat) or drives the amplifier into saturation (rail).
    lead.fill(mode === 'flat' ? 0 : rng.chance(0.5) ? RAIL_MV : -RAIL_MV);
    leadOff = { lead: CANONICAL_LEADS[li] as string, mode };
  }
  const [a, b, c, d, e, f] = leads as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  deriveLimbLeads(a, b, c, d, e, f);
  return {
    baselineDriftLeads: drift,
    staticNoiseLeads: stat,
    burstNoiseLeads: burst,
    ...(leadOff ? { leadOff } : {}),
  };
}

/** White noise through a first-order high-pass (~20 Hz) and low-pass (~150 Hz or 0.45 fs), in bursts. */
function addMuscle(lead: Float64Array, fs: number, rms: number, rng: Rng): void {
  const hp = Math.exp((-2 * Math.PI * 20) / fs);
  const lpCut = Math.min(150, 0.45 * fs);
  const lp = Math.exp((-2 * Math.PI * lpCut) / fs);
  const envRate = rng.uniform(0.2, 1);
  const envPh = rng.uniform(0, 2 * Math.PI);
  let prevIn = 0;
  let hpOut = 0;
  let lpOut = 0;
  // Filtered unit-variance white noise loses power; 2.2 brings the RMS back near `rms`.
  const gain = rms * 2.2;
  for (let i = 0; i < lead.length; i++) {
    const w = rng.normal();
    hpOut = hp * (hpOut + w - prevIn);
    prevIn = w;
    lpOut = lp * lpOut + (1 - lp) * hpOut;
    const env = 0.5 + 0.5 * Math.max(0, Math.sin((2 * Math.PI * envRate * i) / fs + envPh));
    lead[i] = (lead[i] as number) + gain * env * lpOut;
  }
}

/** A low-frequency transient (electrode motion): a 0.5–4 Hz wobble under a Hann window, 0.3–1.5 s long. */
function addMotionBurst(lead: Float64Array, fs: number, amplitude: number, rng: Rng): void {
  const dur = rng.uniform(0.3, 1.5);
  const start = rng.uniform(0, Math.max(0, lead.length / fs - dur));
  const f = rng.uniform(0.5, 4);
  const ph = rng.uniform(0, 2 * Math.PI);
  const a = amplitude * rng.uniform(0.5, 1);
  const from = Math.floor(start * fs);
  const to = Math.min(lead.length, Math.floor((start + dur) * fs));
  for (let i = from; i < to; i++) {
    const u = (i - from) / (to - from);
    const w = 0.5 - 0.5 * Math.cos(2 * Math.PI * u);
    lead[i] = (lead[i] as number) + a * w * Math.sin(2 * Math.PI * f * (i / fs - start) + ph);
  }
}
