/** Why a lead is (or is not) usable: `missing` = not recorded; the others are masked for quality. */
export type LeadStatus = 'ok' | 'missing' | 'off' | 'saturated' | 'noisy';

import type { AmplitudeUnit } from '../signal/amplitude-unit.js';

/** Thresholds of the lead-quality checks; every field has a default suited to ECG in mV. */
export interface QualityOptions {
  /** A lead in mV whose 0.5–40 Hz RMS is below this (mV) is off/flat. Default 0.01 mV (10 µV). */
  readonly flatRmsMv?: number;
  /**
   * A `normalised` lead (units NU: already scaled, so its amplitude says nothing about the electrode) is
   * off/flat when its 0.5–40 Hz RMS is below this fraction of its raw standard deviation: what is left is
   * baseline and offset, not ECG. Default 0.05. Millivolt thresholds are never applied to such a lead.
   */
  readonly flatBandFraction?: number;
  /** A lead with more than this fraction of invalid (NaN) samples is off. Default 0.5. */
  readonly maxInvalidFraction?: number;
  /** Saturated when at least this fraction of samples sits on the min or max rail. Default 0.01. */
  readonly railFraction?: number;
  /** Saturated when one run on a rail lasts at least this long, in seconds. Default 0.03 (30 ms). */
  readonly railRunSeconds?: number;
  /** Noise-dominated when the in-band equivalent frequency exceeds this (Hz). Default 17. */
  readonly noisyFrequencyHz?: number;
  /** At or below this equivalent frequency (Hz) a usable lead scores 1. Default 10. */
  readonly cleanFrequencyHz?: number;
}

/** Statistics of a lead in physical units at its recorded rate, before any filtering. */
export interface RawLeadStats {
  readonly min: number;
  readonly max: number;
  /** Standard deviation of the valid samples. */
  readonly std: number;
  readonly invalidFraction: number;
  /**
   * Fraction of valid samples within 1e-6 × range of the min or max; a min or max counts as a rail only
   * when it lies more than 0.3 × range from the mean.
   */
  readonly railFraction: number;
  /** Longest run of consecutive samples on one rail, in seconds. */
  readonly longestRailRunSeconds: number;
}

/** Statistics of a lead after the ECG band-pass, still in the lead's units (mV, or NU when normalised). */
export interface BandLeadStats {
  readonly rms: number;
  /**
   * Frequency of the sine whose first-difference-to-signal power ratio equals the lead's:
   * f = (fs / π) · asin(√(Σ(Δy)² / Σy²) / 2). An ECG's power sits low in the band (about 5–10 Hz);
   * white noise spread over 0.5–40 Hz gives about 21 Hz.
   */
  readonly equivalentFrequencyHz: number;
}

/** The verdict on one lead. */
export interface LeadQuality {
  readonly status: LeadStatus;
  /** Human-readable reasons for a status other than `ok` (empty when ok). */
  readonly reasons: string[];
  /** 0 when masked; usable leads 1 − 0.5 · clamp((f − clean) / (noisy − clean), 0, 1). */
  readonly score: number;
  readonly raw?: RawLeadStats;
  readonly band?: BandLeadStats;
}

const RAIL_DISTANCE = 0.3;

/** Min/max, invalid fraction and rail statistics of a raw lead (one pass for range, one for rails). */
export function rawLeadStats(raw: Float32Array, sampleRate: number): RawLeadStats {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let invalid = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (Number.isNaN(v)) invalid++;
    else {
      sum += v;
      sumSquares += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const valid = raw.length - invalid;
  if (valid === 0)
    return { min: 0, max: 0, std: 0, invalidFraction: 1, railFraction: 0, longestRailRunSeconds: 0 };
  const range = max - min;
  const tolerance = 1e-6 * range;
  const mean = sum / valid;
  // Clipping cuts off the extremes, so a rail lies far from the mean. A noiseless baseline that happens
  // to be the minimum (a synthetic ECG with only positive waves) sits at the mean and is not a rail.
  const high = max - mean > RAIL_DISTANCE * range ? max - tolerance : Number.POSITIVE_INFINITY;
  const low = mean - min > RAIL_DISTANCE * range ? min + tolerance : Number.NEGATIVE_INFINITY;
  let onRail = 0;
  let longest = 0;
  let run = 0;
  let runRail = 0; // -1 low rail, 1 high rail, 0 none
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    const rail = v >= high ? 1 : v <= low ? -1 : 0;
    if (rail !== 0) onRail++;
    run = rail !== 0 && rail === runRail ? run + 1 : rail !== 0 ? 1 : 0;
    runRail = rail;
    if (run > longest) longest = run;
  }
  return {
    min,
    max,
    std: Math.sqrt(Math.max(0, sumSquares / valid - mean * mean)),
    invalidFraction: invalid / raw.length,
    railFraction: max > min ? onRail / valid : 0,
    longestRailRunSeconds: max > min ? longest / sampleRate : 0,
  };
}

/** RMS and equivalent frequency of a band-passed lead. */
export function bandLeadStats(filtered: Float32Array, sampleRate: number): BandLeadStats {
  const n = filtered.length;
  if (n < 2) return { rms: 0, equivalentFrequencyHz: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += filtered[i]!;
  const mean = sum / n;
  let power = 0;
  let diffPower = 0;
  let previous = filtered[0]! - mean;
  power += previous * previous;
  for (let i = 1; i < n; i++) {
    const v = filtered[i]! - mean;
    power += v * v;
    const d = v - previous;
    diffPower += d * d;
    previous = v;
  }
  const rms = Math.sqrt(power / n);
  if (!(power > 0) || !Number.isFinite(power))
    return { rms: Number.isFinite(rms) ? rms : 0, equivalentFrequencyHz: 0 };
  const ratio = diffPower / (n - 1) / (power / n);
  const equivalentFrequencyHz = (sampleRate / Math.PI) * Math.asin(Math.min(1, Math.sqrt(ratio) / 2));
  return { rms, equivalentFrequencyHz };
}

/**
 * Classifies one lead from its raw and band-passed statistics; checks run off → saturated → noisy. A lead
 * in mV is flat below an absolute RMS; a `normalised` one below a fraction of its own spread (the other
 * checks — invalid samples, rails, noise frequency — do not depend on scale).
 */
export function classifyLead(
  raw: RawLeadStats,
  band: BandLeadStats,
  options: QualityOptions = {},
  unit: AmplitudeUnit = 'mV',
): LeadQuality {
  const flatRms = options.flatRmsMv ?? 0.01;
  const flatFraction = options.flatBandFraction ?? 0.05;
  const maxInvalid = options.maxInvalidFraction ?? 0.5;
  const railFraction = options.railFraction ?? 0.01;
  const railRun = options.railRunSeconds ?? 0.03;
  const noisy = options.noisyFrequencyHz ?? 17;
  const clean = options.cleanFrequencyHz ?? 10;
  const masked = (status: LeadStatus, reasons: string[]): LeadQuality => ({
    status,
    reasons,
    score: 0,
    raw,
    band,
  });

  const off: string[] = [];
  if (raw.invalidFraction > maxInvalid)
    off.push(`${(raw.invalidFraction * 100).toFixed(1)} % of samples invalid`);
  if (raw.max === raw.min) off.push('constant');
  else if (unit === 'mV' && band.rms < flatRms)
    off.push(`flat: band RMS ${band.rms.toPrecision(3)} mV < ${flatRms} mV`);
  else if (unit === 'normalised' && band.rms < flatFraction * raw.std)
    off.push(
      `flat: band RMS ${band.rms.toPrecision(3)} NU < ${flatFraction} × the lead's spread ${raw.std.toPrecision(3)} NU`,
    );
  if (off.length > 0) return masked('off', off);

  const saturated: string[] = [];
  if (raw.railFraction >= railFraction) {
    saturated.push(`${(raw.railFraction * 100).toFixed(1)} % of samples on the min/max rail`);
  }
  if (raw.longestRailRunSeconds >= railRun) {
    saturated.push(`clipped for ${(raw.longestRailRunSeconds * 1000).toFixed(0)} ms at a rail`);
  }
  if (saturated.length > 0) return masked('saturated', saturated);

  const f = band.equivalentFrequencyHz;
  if (f > noisy)
    return masked('noisy', [`noise-dominated: equivalent frequency ${f.toFixed(1)} Hz > ${noisy} Hz`]);
  const penalty = Math.min(1, Math.max(0, (f - clean) / (noisy - clean)));
  return { status: 'ok', reasons: [], score: 1 - 0.5 * penalty, raw, band };
}

/** The verdict for a canonical lead the recording did not have. */
export function missingLead(): LeadQuality {
  return { status: 'missing', reasons: ['not recorded'], score: 0 };
}
