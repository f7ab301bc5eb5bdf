import type { Rng } from '../util/rng.js';
import type { Vec3, WaveEvent } from './beat-model.js';
import type { ScheduledBeat } from './rhythm.js';

/** The cardiac dipole over time: three equal-length arrays in mV. */
export interface DipoleTrajectory {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
}

/** Event lists per beat origin. */
export interface BeatTemplates {
  readonly normal: readonly WaveEvent[];
  readonly pvc: readonly WaveEvent[];
}

/**
 * Sums every beat's Gaussian events into a dipole trajectory sampled at `sampleRate` for `seconds`.
 * Repolarisation events stretch with √RR (Bazett), so the QT shortens at high rates.
 */
export function synthesiseDipole(
  beats: readonly ScheduledBeat[],
  templates: BeatTemplates,
  sampleRate: number,
  seconds: number,
): DipoleTrajectory {
  const n = Math.round(sampleRate * seconds);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  for (const beat of beats) {
    const events = beat.origin === 'pvc' ? templates.pvc : templates.normal;
    const stretch = Math.sqrt(Math.min(Math.max(beat.rr, 0.3), 2));
    for (const e of events) {
      const k = e.kind === 'repolarisation' ? stretch : 1;
      addGaussian(x, y, z, sampleRate, beat.time + e.t * k, e.sigma * k, e.v);
    }
  }
  return { x, y, z };
}

function addGaussian(
  x: Float64Array,
  y: Float64Array,
  z: Float64Array,
  fs: number,
  centre: number,
  sigma: number,
  v: Vec3,
): void {
  const n = x.length;
  const from = Math.max(0, Math.floor((centre - 5 * sigma) * fs));
  const to = Math.min(n - 1, Math.ceil((centre + 5 * sigma) * fs));
  const inv = 1 / (2 * sigma * sigma);
  for (let i = from; i <= to; i++) {
    const d = i / fs - centre;
    const g = Math.exp(-d * d * inv);
    x[i] = (x[i] as number) + v[0] * g;
    y[i] = (y[i] as number) + v[1] * g;
    z[i] = (z[i] as number) + v[2] * g;
  }
}

/**
 * Adds atrial fibrillatory f-waves: a 4–9 Hz oscillation with slowly wandering frequency and amplitude,
 * along an atrial direction that projects most strongly onto V1 and the inferior leads.
 */
export function addFibrillatoryWaves(d: DipoleTrajectory, sampleRate: number, rng: Rng): void {
  const amplitude = rng.uniform(0.03, 0.1);
  const f0 = rng.uniform(4.5, 8);
  const dir: Vec3 = [-0.25, 0.55, 0.8];
  const fmDepth = rng.uniform(0.3, 0.9);
  const fmRate = rng.uniform(0.08, 0.3);
  const amRate = rng.uniform(0.1, 0.5);
  const p1 = rng.uniform(0, 2 * Math.PI);
  const p2 = rng.uniform(0, 2 * Math.PI);
  let phase = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < d.x.length; i++) {
    const t = i / sampleRate;
    const f = f0 + fmDepth * Math.sin(2 * Math.PI * fmRate * t + p1);
    phase += (2 * Math.PI * f) / sampleRate;
    const a = amplitude * (0.65 + 0.35 * Math.sin(2 * Math.PI * amRate * t + p2));
    // A second harmonic gives the saw-tooth-leaning shape of coarse f-waves.
    const s = a * (Math.sin(phase) + 0.3 * Math.sin(2 * phase + p2));
    d.x[i] = (d.x[i] as number) + dir[0] * s;
    d.y[i] = (d.y[i] as number) + dir[1] * s;
    d.z[i] = (d.z[i] as number) + dir[2] * s;
  }
}
