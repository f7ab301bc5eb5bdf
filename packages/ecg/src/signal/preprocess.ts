import { InvalidArgumentError } from '../errors.js';
import type { LeadQuality, QualityOptions } from '../quality/lead-quality.js';
import { bandLeadStats, classifyLead, missingLead, rawLeadStats } from '../quality/lead-quality.js';
import type { SignalQuality } from '../quality/signal-quality.js';
import { summariseQuality } from '../quality/signal-quality.js';
import { ecgFilter } from './filter-cache.js';
import { sosfiltfilt } from './filtfilt.js';
import type { CanonicalLead, LeadMappingOptions } from './leads.js';
import { CANONICAL_LEADS, mapLeads } from './leads.js';
import { leadUnit, type MultiLeadSignal } from './multi-lead-signal.js';
import type { Normalisation } from './normalise.js';
import { normaliseLead } from './normalise.js';
import type { ResampleOptions } from './resample.js';
import { resampledLength, resamplePoly, resampleRatio } from './resample.js';
import type { PartialWindow } from './window.js';
import { windowStarts } from './window.js';

/** Everything `preprocess` does, in one options object; every field is optional. */
export interface PreprocessOptions {
  /** Model sample rate in Hz. Default 100. */
  readonly targetRate?: number;
  /** Butterworth band-pass in Hz, applied zero-phase at the target rate; null for none. Default [0.5, 40]. */
  readonly band?: readonly [number, number] | null;
  /** Butterworth prototype order (forward–backward filtering doubles the attenuation). Default 2. */
  readonly filterOrder?: number;
  /**
   * Mains notch in Hz, or null. Default 50 (PTB and PTB-XL were recorded on 50 Hz mains). Applied only
   * when below the target Nyquist: at the default 100 Hz target both 50 and 60 Hz lie at or above
   * Nyquist and are removed by the resampler's anti-aliasing filter (≥ 60 dB from Nyquist up).
   */
  readonly notchHz?: 50 | 60 | null;
  /** Notch quality factor (bandwidth = notchHz / notchQ). Default 30. */
  readonly notchQ?: number;
  /** Per-lead normalisation, computed per window. Default 'zscore'. */
  readonly normalisation?: Normalisation;
  /** Window length in seconds. Default 10 (1,000 samples at 100 Hz). */
  readonly windowSeconds?: number;
  /** Hop between window starts in seconds. Default: the window length (no overlap). */
  readonly hopSeconds?: number;
  /** A tail shorter than a window is dropped or zero-padded. Default 'drop'. */
  readonly partial?: PartialWindow;
  /** Anti-aliasing filter of the resampler. Defaults: half-width 16, 60 dB. */
  readonly resample?: ResampleOptions;
  /** Lead-name mapping. Default: modified leads (MLII) are not mapped. */
  readonly leads?: LeadMappingOptions;
  /** Lead-quality thresholds. */
  readonly quality?: QualityOptions;
}

/** Model-ready windows of one signal plus what was found about its leads. */
export interface PreprocessResult {
  /** `windowCount × 12 × windowLength` floats, lead-major per window, canonical lead order. */
  readonly windows: Float32Array;
  readonly windowCount: number;
  readonly windowLength: number;
  /** Start of each window, in samples at `sampleRate`. */
  readonly windowStarts: readonly number[];
  /** The target rate. */
  readonly sampleRate: number;
  /** 1 = lead usable; 0 = missing or masked for quality (its window rows are all zeros). */
  readonly leadMask: Uint8Array;
  readonly quality: SignalQuality;
  readonly missingLeads: readonly CanonicalLead[];
  readonly ignoredLeads: readonly string[];
}

/** A preprocessing function with its options resolved and its filters designed once. */
export type Preprocessor = (signal: MultiLeadSignal) => PreprocessResult;

// Invalid (NaN) samples hold the last valid value, so filters never see NaN; an all-NaN lead was
// already classified as off and stays zeros.
function holdInvalid(lead: Float32Array): Float32Array {
  const out = new Float32Array(lead.length);
  let last = Number.NaN;
  for (let i = 0; i < lead.length && Number.isNaN(last); i++) if (!Number.isNaN(lead[i]!)) last = lead[i]!;
  if (Number.isNaN(last)) return out;
  for (let i = 0; i < lead.length; i++) {
    const v = lead[i]!;
    if (!Number.isNaN(v)) last = v;
    out[i] = last;
  }
  return out;
}

/**
 * Resolves options once and returns a reusable preprocessor: lead mapping → resampling → band-pass and
 * notch → quality → per-window normalisation → windows. Filter and resampler designs are cached by
 * their parameters, and per-lead work buffers are reused between calls.
 */
export function createPreprocessor(options: PreprocessOptions = {}): Preprocessor {
  const targetRate = options.targetRate ?? 100;
  if (!(targetRate > 0))
    throw new InvalidArgumentError('targetRate', targetRate, 'must be a positive rate in Hz');
  const windowSeconds = options.windowSeconds ?? 10;
  const hopSeconds = options.hopSeconds ?? windowSeconds;
  const windowLength = Math.round(windowSeconds * targetRate);
  const hop = Math.round(hopSeconds * targetRate);
  if (!(windowLength >= 1))
    throw new InvalidArgumentError('windowSeconds', windowSeconds, 'must give ≥ 1 sample');
  if (!(hop >= 1)) throw new InvalidArgumentError('hopSeconds', hopSeconds, 'must give ≥ 1 sample');
  const normalisation = options.normalisation ?? 'zscore';
  const partial = options.partial ?? 'drop';
  const sos = ecgFilter({
    sampleRate: targetRate,
    band: options.band === undefined ? [0.5, 40] : options.band,
    order: options.filterOrder ?? 2,
    notchHz: options.notchHz === undefined ? 50 : options.notchHz,
    notchQ: options.notchQ ?? 30,
  });
  const resampleOptions = options.resample ?? {};
  const buffers: Float32Array[] = [];

  return (signal) => {
    const mapping = mapLeads(signal, options.leads);
    const { up, down } = resampleRatio(signal.sampleRate, targetRate);
    const n = resampledLength(mapping.signal.leads[0]?.length ?? 0, up, down);
    const verdicts: LeadQuality[] = [];
    const filtered: Float32Array[] = [];
    CANONICAL_LEADS.forEach((_, slot) => {
      const raw = mapping.signal.leads[slot]!;
      let buffer = buffers[slot];
      if (buffer === undefined || buffer.length !== n) {
        buffer = new Float32Array(n);
        buffers[slot] = buffer;
      }
      filtered.push(buffer);
      if (mapping.leadMask[slot] === 0) {
        verdicts.push(missingLead());
        return;
      }
      const rawStats = rawLeadStats(raw, signal.sampleRate);
      const clean = rawStats.invalidFraction > 0 ? holdInvalid(raw) : raw;
      resamplePoly(clean, up, down, resampleOptions, buffer);
      if (sos.length > 0) sosfiltfilt(sos, buffer, buffer);
      verdicts.push(
        classifyLead(
          rawStats,
          bandLeadStats(buffer, targetRate),
          options.quality,
          leadUnit(mapping.signal, slot),
        ),
      );
    });
    const quality = summariseQuality(verdicts);

    const starts = windowStarts(n, windowLength, hop, partial);
    const leadCount = CANONICAL_LEADS.length;
    const windows = new Float32Array(starts.length * leadCount * windowLength);
    starts.forEach((start, w) => {
      const length = Math.min(windowLength, n - start);
      for (let slot = 0; slot < leadCount; slot++) {
        if (quality.leadMask[slot] === 0) continue;
        const offset = (w * leadCount + slot) * windowLength;
        windows.set(filtered[slot]!.subarray(start, start + length), offset);
        normaliseLead(windows, normalisation, windows, offset, length);
      }
    });
    return {
      windows,
      windowCount: starts.length,
      windowLength,
      windowStarts: starts,
      sampleRate: targetRate,
      leadMask: quality.leadMask,
      quality,
      missingLeads: mapping.missing,
      ignoredLeads: mapping.ignored,
    };
  };
}

const defaultPreprocessors = new Map<string, Preprocessor>();

/** Preprocesses one signal into model-ready 12-lead windows (see {@link PreprocessOptions}). */
export function preprocess(signal: MultiLeadSignal, options: PreprocessOptions = {}): PreprocessResult {
  // Reuse a preprocessor per distinct options so repeated calls never redesign filters.
  const key = JSON.stringify(options);
  let preprocessor = defaultPreprocessors.get(key);
  if (preprocessor === undefined) {
    preprocessor = createPreprocessor(options);
    if (defaultPreprocessors.size < 32) defaultPreprocessors.set(key, preprocessor);
  }
  return preprocessor(signal);
}
