import type { Sos } from './butterworth.js';
import { butterworth } from './butterworth.js';
import { iirNotch } from './notch.js';

/** The ECG filter chain at one sample rate: a Butterworth band-pass and an optional mains notch. */
export interface EcgFilterSpec {
  readonly sampleRate: number;
  /** Pass band in Hz, or null for no band-pass. */
  readonly band: readonly [number, number] | null;
  /** Butterworth prototype order of the band-pass. */
  readonly order: number;
  /** Mains frequency in Hz, or null for no notch. Skipped when at or above the Nyquist frequency. */
  readonly notchHz: number | null;
  readonly notchQ: number;
}

const cache = new Map<string, Sos>();

/**
 * The band-pass and notch of a spec as one SOS cascade (so one forward–backward pass runs both), designed
 * once per (rate, band, order, notch, Q) and cached. A notch at or above Nyquist is left out: at such a
 * rate the anti-aliasing filter of the resampler has already removed the mains frequency.
 */
export function ecgFilter(spec: EcgFilterSpec): Sos {
  const key = `${spec.sampleRate}|${spec.band?.join(',') ?? '-'}|${spec.order}|${spec.notchHz ?? '-'}|${spec.notchQ}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const parts: Sos[] = [];
  if (spec.band !== null) {
    parts.push(
      butterworth({ kind: 'bandpass', order: spec.order, cutoff: spec.band, sampleRate: spec.sampleRate }),
    );
  }
  if (spec.notchHz !== null && spec.notchHz < spec.sampleRate / 2) {
    parts.push(iirNotch(spec.notchHz, spec.sampleRate, spec.notchQ));
  }
  const sos = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    sos.set(part, offset);
    offset += part.length;
  }
  cache.set(key, sos);
  return sos;
}
