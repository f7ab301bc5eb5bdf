/**
 * The beat morphology of the dynamical model: ECGSYN's P, Q, R, S and T Gaussian events, each with a
 * 3-D dipole direction and amplitude (Sameni's 3-D extension). Integrating Sameni's ODE
 * dD/dt = −Σ a_i ω Δθ_i / b_i² · exp(−Δθ_i² / 2b_i²) over one beat gives D(θ) = Σ a_i exp(−Δθ_i² / 2b_i²)
 * exactly, so the synthesiser evaluates that closed form with θ measured as time from the R peak.
 */

/** A 3-D dipole vector [x left, y inferior, z anterior] in mV. */
export type Vec3 = readonly [number, number, number];

/** How an event's timing follows the heart rate: repolarisation stretches with √RR (Bazett), the rest not. */
export type EventKind = 'atrial' | 'ventricular' | 'repolarisation';

/** One Gaussian wave event of a beat. */
export interface WaveEvent {
  /** Label (P, Q, R, S, R', ST, T…), used by tests and debugging only. */
  readonly name: string;
  readonly kind: EventKind;
  /** Centre in seconds from the R peak (at RR = 1 s for repolarisation events). */
  readonly t: number;
  /** Gaussian width σ in seconds (at RR = 1 s for repolarisation events). */
  readonly sigma: number;
  /** Peak dipole vector in mV. */
  readonly v: Vec3;
}

/** The editable description of one beat that conditions modify before events are laid out. */
export interface MorphologyParams {
  /** PR interval in ms: P onset (centre − 2.5σ) to QRS onset. */
  prMs: number;
  /** False when atria do not depolarise as a P wave (atrial fibrillation). */
  hasP: boolean;
  pVector: Vec3;
  pSigmaMs: number;
  /** Depolarisation events (Q, R, S, R'…), times relative to the R peak. */
  qrs: WaveEvent[];
  tVector: Vec3;
  /** T wave σ in ms at 60 bpm. */
  tSigmaMs: number;
  /** QT interval in ms at 60 bpm (QRS onset to T end ≈ T centre + 2.2σ). */
  qtMs: number;
  /** ST-segment shift vector (mV) between J point and T: elevation/depression per lead. */
  stVector: Vec3;
}

/** The normal adult beat in the canonical heart orientation (QRS axis about +50°, transition V2–V3). */
export function normalMorphology(): MorphologyParams {
  return {
    prMs: 160,
    hasP: true,
    pVector: [0.06, 0.12, 0.02],
    pSigmaMs: 22,
    qrs: [
      { name: 'Q', kind: 'ventricular', t: -0.032, sigma: 0.009, v: [-0.12, 0.02, 0.15] },
      { name: 'R', kind: 'ventricular', t: 0, sigma: 0.011, v: [1.1, 0.65, -0.45] },
      { name: 'S', kind: 'ventricular', t: 0.034, sigma: 0.011, v: [-0.35, -0.15, -0.45] },
    ],
    tVector: [0.3, 0.17, 0.12],
    tSigmaMs: 55,
    qtMs: 400,
    stVector: [0, 0, 0],
  };
}

/** Start of the QRS complex in seconds from the R peak (earliest event's centre − 2.5σ). */
export function qrsOnset(qrs: readonly WaveEvent[]): number {
  let onset = 0;
  for (const e of qrs) onset = Math.min(onset, e.t - 2.5 * e.sigma);
  return onset;
}

/** End of the QRS complex in seconds from the R peak (latest event's centre + 2.5σ). */
export function qrsEnd(qrs: readonly WaveEvent[]): number {
  let end = 0;
  for (const e of qrs) end = Math.max(end, e.t + 2.5 * e.sigma);
  return end;
}

/** Lays the morphology out as the events of one beat. */
export function beatEvents(m: MorphologyParams): WaveEvent[] {
  const onset = qrsOnset(m.qrs);
  const end = qrsEnd(m.qrs);
  const events: WaveEvent[] = [];
  if (m.hasP) {
    const sigma = m.pSigmaMs / 1000;
    events.push({ name: 'P', kind: 'atrial', t: onset - m.prMs / 1000 + 2.5 * sigma, sigma, v: m.pVector });
  }
  events.push(...m.qrs);
  const tSigma = m.tSigmaMs / 1000;
  const tCentre = onset + m.qtMs / 1000 - 2.2 * tSigma;
  // The ST segment: a broad low event from the J point into the T upstroke, carrying any ST shift.
  const stCentre = (end + tCentre) / 2;
  const stSigma = Math.max(0.02, (tCentre - end) / 2.5);
  const st: Vec3 = [
    0.15 * m.tVector[0] + m.stVector[0],
    0.15 * m.tVector[1] + m.stVector[1],
    0.15 * m.tVector[2] + m.stVector[2],
  ];
  events.push({ name: 'ST', kind: 'repolarisation', t: stCentre, sigma: stSigma, v: st });
  events.push({ name: 'T', kind: 'repolarisation', t: tCentre, sigma: tSigma, v: m.tVector });
  return events;
}

/** Scales a vector. */
export function scale(v: Vec3, k: number): Vec3 {
  return [v[0] * k, v[1] * k, v[2] * k];
}

/** Linear interpolation between two vectors (severity blending of a pathology). */
export function lerp(a: Vec3, b: Vec3, k: number): Vec3 {
  return [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k, a[2] + (b[2] - a[2]) * k];
}

/** Rotates a vector by `frontal` radians in the x–y plane, then `horizontal` radians in the x–z plane. */
export function rotate(v: Vec3, frontal: number, horizontal: number): Vec3 {
  const cf = Math.cos(frontal);
  const sf = Math.sin(frontal);
  const x1 = v[0] * cf - v[1] * sf;
  const y1 = v[0] * sf + v[1] * cf;
  const ch = Math.cos(horizontal);
  const sh = Math.sin(horizontal);
  return [x1 * ch - v[2] * sh, y1, x1 * sh + v[2] * ch];
}
