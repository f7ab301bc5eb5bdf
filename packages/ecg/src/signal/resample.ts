import { InvalidArgumentError } from '../errors.js';

/** Options of the anti-aliasing filter used by {@link resample}. */
export interface ResampleOptions {
  /**
   * Half-length of the windowed-sinc filter in samples of the lower of the two rates. Default 16;
   * longer gives a narrower transition band at a proportional cost. Range 4–64.
   */
  readonly halfWidth?: number;
  /** Stop-band attenuation of the Kaiser design in dB. Default 60; range 30–120. */
  readonly attenuationDb?: number;
}

/** A precomputed polyphase filter bank for one up-by-p, down-by-q ratio. */
export interface PolyphaseFilter {
  readonly up: number;
  readonly down: number;
  /** Taps per phase (a multiple of 4); output m reads input samples from floor(m·q/p) − reach on. */
  readonly tapsPerPhase: number;
  readonly reach: number;
  /** Phase-major coefficients, `up × tapsPerPhase`; each phase sums to exactly 1 (DC is preserved). */
  readonly coefficients: Float32Array;
  /** Pass-band edge and cut-off, as fractions of the lower sample rate. */
  readonly passEdge: number;
  readonly cutoff: number;
}

const MAX_FACTOR = 100_000;

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** The reduced up/down factors that take `fromRate` to `toRate` (both given to at most 6 decimals). */
export function resampleRatio(fromRate: number, toRate: number): { up: number; down: number } {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isFinite(rate) || rate <= 0)
      throw new InvalidArgumentError(name, rate, 'must be a positive rate in Hz');
  }
  for (let scale = 1; scale <= 1e6; scale *= 10) {
    const a = Math.round(fromRate * scale);
    const b = Math.round(toRate * scale);
    if (Math.abs(a - fromRate * scale) < 1e-6 && Math.abs(b - toRate * scale) < 1e-6) {
      const g = gcd(a, b);
      const up = b / g;
      const down = a / g;
      if (up > MAX_FACTOR || down > MAX_FACTOR) break;
      return { up, down };
    }
  }
  throw new InvalidArgumentError(
    'toRate/fromRate',
    `${toRate}/${fromRate}`,
    `must reduce to a ratio p/q with p, q ≤ ${MAX_FACTOR}`,
  );
}

// Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for x < 50).
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const half = x / 2;
  for (let k = 1; k < 200; k++) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

const cache = new Map<string, PolyphaseFilter>();

/** Designs (or fetches from the cache) the Kaiser-windowed sinc polyphase bank for p/q. */
export function polyphaseFilter(up: number, down: number, options: ResampleOptions = {}): PolyphaseFilter {
  const halfWidth = options.halfWidth ?? 16;
  const attenuation = options.attenuationDb ?? 60;
  if (!Number.isInteger(halfWidth) || halfWidth < 4 || halfWidth > 64) {
    throw new InvalidArgumentError('halfWidth', halfWidth, 'must be an integer in 4–64');
  }
  if (!(attenuation >= 30 && attenuation <= 120)) {
    throw new InvalidArgumentError('attenuationDb', attenuation, 'must be in 30–120 dB');
  }
  const key = `${up}/${down}/${halfWidth}/${attenuation}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  // Kaiser's formulas: length N − 1 = 2·halfWidth (at the low rate) buys a transition of width
  // Δω = (A − 8) / (2.285 (N − 1)) rad/sample. Put the stop-band edge at the low Nyquist so that nothing
  // above it can alias, and the cut-off half a transition below.
  const transition = (attenuation - 8) / (2.285 * 2 * halfWidth) / (2 * Math.PI);
  const cutoff = Math.max(0.25, 0.5 - transition / 2);
  const beta =
    attenuation > 50
      ? 0.1102 * (attenuation - 8.7)
      : 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21);
  const factor = Math.max(up, down);
  const halfLength = halfWidth * factor; // in samples of the up-sampled stream
  const fc = cutoff / factor; // cycles per up-sampled sample
  const reach = Math.ceil(halfLength / up) + 1;
  // Rounded up to a multiple of 4 (trailing zero taps) for the four-accumulator inner loop.
  const tapsPerPhase = Math.ceil((2 * reach + 1) / 4) * 4;
  const coefficients = new Float32Array(up * tapsPerPhase);
  const i0Beta = besselI0(beta);
  for (let phase = 0; phase < up; phase++) {
    const row = phase * tapsPerPhase;
    let sum = 0;
    const taps = new Float64Array(tapsPerPhase);
    for (let t = 0; t < tapsPerPhase; t++) {
      const j = phase - (t - reach) * up; // offset of the tap in up-sampled samples
      if (Math.abs(j) >= halfLength) continue;
      const r = j / halfLength;
      const window = besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      const x = 2 * fc * j;
      const sinc = j === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      taps[t] = window * sinc;
      sum += taps[t]!;
    }
    for (let t = 0; t < tapsPerPhase; t++) coefficients[row + t] = taps[t]! / sum;
  }
  const filter: PolyphaseFilter = {
    up,
    down,
    tapsPerPhase,
    reach,
    coefficients,
    passEdge: cutoff - transition / 2,
    cutoff,
  };
  cache.set(key, filter);
  return filter;
}

/** Output length of resampling n samples by p/q: round(n·p/q). */
export function resampledLength(n: number, up: number, down: number): number {
  return Math.round((n * up) / down);
}

let scratch = new Float32Array(0);

/**
 * Resamples one lead by the rational factor p/q with a zero-phase polyphase FIR: output sample m sits at
 * input time m·q/p exactly, so events stay aligned. Edges are extended by odd reflection about the local mean (no step to zero).
 * Writes into `out` when given (length round(n·p/q)).
 */
export function resamplePoly(
  input: Float32Array,
  up: number,
  down: number,
  options: ResampleOptions = {},
  out?: Float32Array,
): Float32Array {
  const n = input.length;
  const length = resampledLength(n, up, down);
  const output = out ?? new Float32Array(length);
  if (output.length !== length)
    throw new InvalidArgumentError('out.length', output.length, `must be ${length}`);
  if (n === 0) return output;
  if (up === down) {
    output.set(input);
    return output;
  }
  const { coefficients, tapsPerPhase, reach } = polyphaseFilter(up, down, options);
  const pad = tapsPerPhase - reach + 1;
  const padded = n + 2 * pad;
  if (scratch.length < padded) scratch = new Float32Array(padded);
  const buf = scratch;
  buf.set(input, pad);
  // Odd reflection about the mean of the samples within one filter half-length of each end, not about the
  // end sample itself: mains hum or noise on that one sample would otherwise become a level step beyond
  // the edge, which the low-pass smears into the record. The mean carries the local level; what jumps at
  // the junction is high-frequency and filtered out.
  const span = Math.max(1, Math.min(n, reach));
  let head = 0;
  let tail = 0;
  for (let k = 0; k < span; k++) {
    head += input[k]!;
    tail += input[n - 1 - k]!;
  }
  head = (2 * head) / span;
  tail = (2 * tail) / span;
  for (let k = 1; k <= pad; k++) {
    buf[pad - k] = head - input[Math.min(k, n - 1)]!;
    buf[pad + n - 1 + k] = tail - input[Math.max(n - 1 - k, 0)]!;
  }
  for (let m = 0; m < length; m++) {
    const position = m * down;
    const k0 = Math.floor(position / up);
    const row = (position - k0 * up) * tapsPerPhase;
    const base = k0 - reach + pad;
    // Four independent sums: one running sum is bound by the latency of floating-point addition.
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let t = 0; t < tapsPerPhase; t += 4) {
      a0 += buf[base + t]! * coefficients[row + t]!;
      a1 += buf[base + t + 1]! * coefficients[row + t + 1]!;
      a2 += buf[base + t + 2]! * coefficients[row + t + 2]!;
      a3 += buf[base + t + 3]! * coefficients[row + t + 3]!;
    }
    output[m] = a0 + a1 + a2 + a3;
  }
  return output;
}

/** Resamples one lead from `fromRate` to `toRate` (default 100 Hz) with {@link resamplePoly}. */
export function resample(
  input: Float32Array,
  fromRate: number,
  toRate = 100,
  options: ResampleOptions = {},
): Float32Array {
  const { up, down } = resampleRatio(fromRate, toRate);
  return resamplePoly(input, up, down, options);
}
