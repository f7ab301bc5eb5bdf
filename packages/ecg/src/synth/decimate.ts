import { InvalidArgumentError } from '../errors.js';

const TAPS = 61;

/** Hamming-windowed sinc low-pass taps (unit DC gain) with cutoff `cutoff` as a fraction of the sample rate. */
function lowPassTaps(cutoff: number): Float64Array {
  const h = new Float64Array(TAPS);
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const k = i - mid;
    const sinc = k === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * k) / (Math.PI * k);
    h[i] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (TAPS - 1)));
    sum += h[i] as number;
  }
  for (let i = 0; i < TAPS; i++) h[i] = (h[i] as number) / sum;
  return h;
}

/**
 * Reduces the rate by an integer factor after a zero-phase FIR low-pass at 0.45 × the new rate, so the
 * low-rate record is the same ECG as the high-rate one (PTB-XL's 100 Hz files are downsampled the same way).
 */
export function decimate(signal: Float32Array, factor: number): Float32Array {
  if (!Number.isInteger(factor) || factor < 1)
    throw new InvalidArgumentError('factor', factor, 'must be a positive integer');
  if (factor === 1) return Float32Array.from(signal);
  const h = lowPassTaps(0.45 / factor);
  const mid = (TAPS - 1) / 2;
  const n = signal.length;
  const out = new Float32Array(Math.floor(n / factor));
  for (let o = 0; o < out.length; o++) {
    const c = o * factor;
    let acc = 0;
    for (let i = 0; i < TAPS; i++) {
      // Edges repeat the end samples rather than pulling the signal towards zero.
      const j = Math.min(n - 1, Math.max(0, c + i - mid));
      acc += (h[i] as number) * (signal[j] as number);
    }
    out[o] = acc;
  }
  return out;
}
