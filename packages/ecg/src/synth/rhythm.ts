import type { Rng } from '../util/rng.js';

/** How beats are timed: sinus with heart-rate variability, or atrial fibrillation's irregular response. */
export interface RhythmSpec {
  readonly kind: 'sinus' | 'af';
  /** Mean heart rate in beats per minute. */
  readonly meanHr: number;
  /** Sinus: RR standard deviation as a fraction of the mean RR (≈0.01–0.04). AF: RR coefficient of variation. */
  readonly variability: number;
  /** Probability that a beat is replaced by a premature ventricular complex (0 = none). */
  readonly pvcRate: number;
}

/** One beat in time: where its R peak falls, the RR that preceded it, and its origin. */
export interface ScheduledBeat {
  /** R-peak time in seconds from the record start (may be negative or past the end: edge beats). */
  readonly time: number;
  /** Interval to the previous beat in seconds (drives repolarisation timing). */
  readonly rr: number;
  readonly origin: 'normal' | 'pvc';
}

/**
 * RR tachogram of the ECGSYN model: a bimodal spectrum (Mayer waves near 0.1 Hz, respiratory sinus
 * arrhythmia near 0.25 Hz, LF/HF power 0.5) synthesised as a sum of random-phase sinusoids, scaled to
 * unit standard deviation. Returns a function of time.
 */
export function rrModulation(rng: Rng): (t: number) => number {
  const lf = { f: rng.uniform(0.08, 0.12), sd: 0.01 };
  const hf = { f: rng.uniform(0.2, 0.33), sd: 0.01 };
  const lfHf = 0.5;
  const count = 48;
  const freqs = new Float64Array(count);
  const amps = new Float64Array(count);
  const phases = new Float64Array(count);
  let power = 0;
  for (let k = 0; k < count; k++) {
    const f = 0.02 + (0.48 * (k + 0.5)) / count;
    const s =
      lfHf * Math.exp(-((f - lf.f) ** 2) / (2 * lf.sd ** 2)) +
      Math.exp(-((f - hf.f) ** 2) / (2 * hf.sd ** 2)) +
      1e-3;
    freqs[k] = f;
    amps[k] = Math.sqrt(s);
    phases[k] = rng.uniform(0, 2 * Math.PI);
    power += s / 2;
  }
  const norm = 1 / Math.sqrt(power);
  return (t: number) => {
    let v = 0;
    for (let k = 0; k < count; k++)
      v += (amps[k] as number) * Math.cos(2 * Math.PI * (freqs[k] as number) * t + (phases[k] as number));
    return v * norm;
  };
}

/** Lays out beats covering [−margin, seconds + margin] so waves at the record edges are complete. */
export function scheduleBeats(spec: RhythmSpec, seconds: number, rng: Rng): ScheduledBeat[] {
  const meanRr = 60 / spec.meanHr;
  const margin = 2;
  const modulation = rrModulation(rng);
  const intervals: number[] = [];
  const times: number[] = [];
  let t = -margin + rng.uniform(0, meanRr);
  while (t < seconds + margin) {
    let rr: number;
    if (spec.kind === 'sinus') {
      rr = meanRr * (1 + spec.variability * modulation(t));
    } else {
      // Irregularly irregular: log-normal intervals, floored at the AV node's refractory period.
      const sigma = Math.sqrt(Math.log(1 + spec.variability ** 2));
      rr = Math.max(0.3, meanRr * Math.exp(rng.normal(-sigma * sigma * 0.5, sigma)));
    }
    times.push(t);
    intervals.push(rr);
    t += rr;
  }
  const beats: ScheduledBeat[] = times.map((time, i) => ({
    time,
    rr: intervals[i - 1] ?? meanRr,
    origin: 'normal',
  }));
  if (spec.pvcRate <= 0) return beats;
  return insertPvcs(beats, spec, seconds, rng);
}

/**
 * Replaces chosen normal beats with premature ventricular complexes. In sinus rhythm the sinus node is
 * not reset, so the beat after a PVC keeps its sinus time: a full compensatory pause (the two intervals
 * around the PVC sum to two normal RRs). At least one PVC falls inside the record.
 */
function insertPvcs(beats: ScheduledBeat[], spec: RhythmSpec, seconds: number, rng: Rng): ScheduledBeat[] {
  const candidates: number[] = [];
  for (let i = 2; i < beats.length - 1; i++) {
    const b = beats[i] as ScheduledBeat;
    if (b.time > 0.3 && b.time < seconds - 0.8) candidates.push(i);
  }
  const chosen = new Set<number>();
  for (const i of candidates) if (rng.chance(spec.pvcRate)) chosen.add(i);
  if (chosen.size === 0 && candidates.length > 0) chosen.add(rng.choice(candidates));
  const out: ScheduledBeat[] = [];
  for (let i = 0; i < beats.length; i++) {
    const b = beats[i] as ScheduledBeat;
    const prev = out[out.length - 1];
    if (chosen.has(i) && prev && prev.origin === 'normal') {
      const coupling = rng.uniform(0.55, 0.72) * (b.time - prev.time);
      out.push({ time: prev.time + coupling, rr: coupling, origin: 'pvc' });
      continue;
    }
    const rr = prev ? b.time - prev.time : b.rr;
    out.push({ time: b.time, rr, origin: 'normal' });
  }
  return out;
}
