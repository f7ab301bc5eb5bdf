import type { Sos } from './butterworth.js';

/**
 * Per-section initial state (z1, z2 of the transposed direct form II) for which the cascade is in steady
 * state under a unit step input; scale it by the first sample to start without an edge transient.
 */
export function sosStepState(sos: Sos): Float64Array {
  const state = new Float64Array((sos.length / 6) * 2);
  let level = 1; // the step's level at the input of the current section
  for (let s = 0, i = 0; s < sos.length; s += 6, i += 2) {
    const b0 = sos[s]!;
    const b1 = sos[s + 1]!;
    const b2 = sos[s + 2]!;
    const a1 = sos[s + 4]!;
    const a2 = sos[s + 5]!;
    const dcGain = (b0 + b1 + b2) / (1 + a1 + a2);
    const y = dcGain * level;
    const z2 = b2 * level - a2 * y;
    state[i] = b1 * level - a1 * y + z2;
    state[i + 1] = z2;
    level = y;
  }
  return state;
}

/** Edge-extension length: 3 × (2 × sections + 1), as is conventional for forward–backward filtering. */
export function filtfiltPadLength(sos: Sos): number {
  return 3 * (2 * (sos.length / 6) + 1);
}

const EDGE_SPAN = 3;
const stepStates = new WeakMap<Sos, Float64Array>();
let work = new Float64Array(0);

// Runs one section (sos[s..s+6)) over buf in the given direction, in place, starting from its step
// state × `start`.
function runSection(
  sos: Sos,
  s: number,
  zi: Float64Array,
  buf: Float64Array,
  length: number,
  start: number,
  backward: boolean,
): void {
  const b0 = sos[s]!;
  const b1 = sos[s + 1]!;
  const b2 = sos[s + 2]!;
  const a1 = sos[s + 4]!;
  const a2 = sos[s + 5]!;
  let z1 = zi[s / 3]! * start;
  let z2 = zi[s / 3 + 1]! * start;
  const first = backward ? length - 1 : 0;
  const step = backward ? -1 : 1;
  for (let k = 0, n = first; k < length; k++, n += step) {
    const x = buf[n]!;
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    buf[n] = y;
  }
}

// Runs two consecutive sections in one sweep: the second section's recursion on sample n overlaps with
// the first's on sample n + 1, which roughly halves the time of the latency-bound IIR loop.
function runSectionPair(
  sos: Sos,
  s: number,
  zi: Float64Array,
  buf: Float64Array,
  length: number,
  start: number,
  backward: boolean,
): void {
  const b0 = sos[s]!;
  const b1 = sos[s + 1]!;
  const b2 = sos[s + 2]!;
  const a1 = sos[s + 4]!;
  const a2 = sos[s + 5]!;
  const c0 = sos[s + 6]!;
  const c1 = sos[s + 7]!;
  const c2 = sos[s + 8]!;
  const d1 = sos[s + 10]!;
  const d2 = sos[s + 11]!;
  let z1 = zi[s / 3]! * start;
  let z2 = zi[s / 3 + 1]! * start;
  let w1 = zi[s / 3 + 2]! * start;
  let w2 = zi[s / 3 + 3]! * start;
  const first = backward ? length - 1 : 0;
  const step = backward ? -1 : 1;
  for (let k = 0, n = first; k < length; k++, n += step) {
    const x = buf[n]!;
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    const v = c0 * y + w1;
    w1 = c1 * y - d1 * v + w2;
    w2 = c2 * y - d2 * v;
    buf[n] = v;
  }
}

// Runs the whole cascade over buf in one direction; `start` is the first sample in that direction.
function runCascade(sos: Sos, zi: Float64Array, buf: Float64Array, length: number, backward: boolean): void {
  const start = buf[backward ? length - 1 : 0]!;
  let s = 0;
  for (; s + 12 <= sos.length; s += 12) runSectionPair(sos, s, zi, buf, length, start, backward);
  if (s < sos.length) runSection(sos, s, zi, buf, length, start, backward);
}

/**
 * Zero-phase filtering: the SOS cascade forward, then backward, over the signal extended at both ends by
 * odd reflection (about the mean of the 3 end samples), each pass starting in the steady state for its
 * first sample (so a constant or a slow ramp enters without an edge transient). Magnitude response is |H|², phase is zero. `out` may be `input`.
 */
export function sosfiltfilt(sos: Sos, input: Float32Array, out?: Float32Array): Float32Array {
  const n = input.length;
  const output = out ?? new Float32Array(n);
  if (n === 0) return output;
  if (n === 1 || sos.length === 0) {
    output.set(input);
    return output;
  }
  let zi = stepStates.get(sos);
  if (zi === undefined) {
    zi = sosStepState(sos);
    stepStates.set(sos, zi);
  }
  const pad = Math.min(filtfiltPadLength(sos), n - 1);
  const total = n + 2 * pad;
  if (work.length < total) work = new Float64Array(total);
  const buf = work;
  // Reflect about the mean of the first (last) few samples rather than the end sample alone, so that
  // one noisy end sample does not shift the whole extension and start a long high-pass transient.
  const span = Math.min(n, EDGE_SPAN);
  let first = 0;
  let last = 0;
  for (let k = 0; k < span; k++) {
    first += input[k]!;
    last += input[n - 1 - k]!;
  }
  first /= span;
  last /= span;
  for (let k = 0; k < pad; k++) {
    buf[k] = 2 * first - input[pad - k]!;
    buf[pad + n + k] = 2 * last - input[n - 2 - k]!;
  }
  for (let i = 0; i < n; i++) buf[pad + i] = input[i]!;

  runCascade(sos, zi, buf, total, false);
  runCascade(sos, zi, buf, total, true);
  for (let i = 0; i < n; i++) output[i] = buf[pad + i]!;
  return output;
}
