import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../util/rng.js';
import { lerp, type MorphologyParams, scale, type Vec3, type WaveEvent } from './beat-model.js';
import type { RhythmSpec } from './rhythm.js';

/** The SCP-ECG codes (as in PTB-XL's scp_statements.csv) that the generator models. */
export const MODELLED_CODES = [
  'NORM',
  'SR',
  'SBRAD',
  'STACH',
  'AFIB',
  '1AVB',
  'CLBBB',
  'CRBBB',
  'AMI',
  'ASMI',
  'IMI',
  'LVH',
  'PVC',
] as const;

/** One modelled SCP code. */
export type ScpCode = (typeof MODELLED_CODES)[number];

/** Rhythm statements: exactly one per record. */
export const RHYTHM_CODES: readonly ScpCode[] = ['SR', 'SBRAD', 'STACH', 'AFIB'];

/** Pairs that cannot occur together (besides "one rhythm only" and "NORM only with a rhythm"). */
const CONFLICTS: readonly (readonly [ScpCode, ScpCode])[] = [
  ['CLBBB', 'CRBBB'],
  // A PR interval needs P waves: first-degree AV block is undefined in atrial fibrillation.
  ['1AVB', 'AFIB'],
];

/** True when `code` is one the generator models. */
export function isModelledCode(code: string): code is ScpCode {
  return (MODELLED_CODES as readonly string[]).includes(code);
}

/** Returns the first rule the set breaks, or undefined when the combination is allowed. */
export function conditionConflict(codes: readonly ScpCode[]): string | undefined {
  const rhythms = codes.filter((c) => RHYTHM_CODES.includes(c));
  if (rhythms.length > 1) return `only one rhythm statement allowed, got ${rhythms.join('+')}`;
  for (const [a, b] of CONFLICTS)
    if (codes.includes(a) && codes.includes(b)) return `${a} and ${b} exclude each other`;
  if (codes.includes('NORM')) {
    const other = codes.find((c) => c !== 'NORM' && !RHYTHM_CODES.includes(c));
    if (other) return `NORM excludes pathological statement ${other}`;
    if (codes.includes('AFIB')) return 'NORM excludes AFIB';
  }
  return undefined;
}

/**
 * Validates and completes a requested label set: unknown or conflicting codes throw; a missing rhythm
 * becomes SR; a set without any pathology gets NORM. Returns codes in `MODELLED_CODES` order.
 */
export function normaliseConditions(requested: readonly string[]): ScpCode[] {
  for (const code of requested) {
    if (!isModelledCode(code)) {
      throw new InvalidArgumentError('conditions', code, `must be one of ${MODELLED_CODES.join(', ')}`);
    }
  }
  const set = new Set(requested as readonly ScpCode[]);
  if (![...set].some((c) => RHYTHM_CODES.includes(c))) set.add('SR');
  if (![...set].some((c) => c !== 'NORM' && c !== 'SR' && c !== 'SBRAD' && c !== 'STACH')) set.add('NORM');
  const codes = MODELLED_CODES.filter((c) => set.has(c));
  const conflict = conditionConflict(codes);
  if (conflict) throw new InvalidArgumentError('conditions', requested, conflict);
  return codes;
}

/** Draws a plausible multi-label set with roughly PTB-XL-like prevalences, respecting the conflict rules. */
export function sampleConditions(rng: Rng): ScpCode[] {
  const rhythm = rng.weighted<ScpCode>([
    ['SR', 0.62],
    ['AFIB', 0.18],
    ['SBRAD', 0.1],
    ['STACH', 0.1],
  ]);
  const codes: ScpCode[] = [rhythm];
  if (rng.chance(0.3)) return normaliseConditions(codes);
  const extras: [ScpCode, number][] = [
    ['1AVB', 0.1],
    ['CLBBB', 0.1],
    ['CRBBB', 0.1],
    ['AMI', 0.06],
    ['ASMI', 0.14],
    ['IMI', 0.14],
    ['LVH', 0.15],
    ['PVC', 0.12],
  ];
  for (const [code, p] of rng.shuffle(extras)) {
    if (rng.chance(p) && conditionConflict([...codes, code]) === undefined) codes.push(code);
  }
  return normaliseConditions(codes);
}

/** Findings beyond the labels that shape the morphology and the report (MI age, LVH strain). */
export interface ConditionDetails {
  /** 0–1 how pronounced each diagnostic pathology is (from its likelihood). */
  readonly severity: Readonly<Partial<Record<ScpCode, number>>>;
  /** Myocardial infarction with acute ST elevation rather than an old one. */
  readonly acuteMi: boolean;
  /** LVH with secondary ST-T (strain) changes. */
  readonly lvhStrain: boolean;
}

/** The rhythm a label set implies (heart rate ranges: SBRAD < 60, STACH > 100, sinus 60–100). */
export function rhythmFor(codes: readonly ScpCode[], rng: Rng): RhythmSpec {
  const pvcRate = codes.includes('PVC') ? rng.uniform(0.06, 0.2) : 0;
  if (codes.includes('AFIB')) {
    return { kind: 'af', meanHr: rng.uniform(60, 135), variability: rng.uniform(0.16, 0.3), pvcRate };
  }
  const variability = rng.uniform(0.008, 0.025);
  if (codes.includes('SBRAD')) return { kind: 'sinus', meanHr: rng.uniform(40, 55), variability, pvcRate };
  if (codes.includes('STACH')) return { kind: 'sinus', meanHr: rng.uniform(106, 150), variability, pvcRate };
  return { kind: 'sinus', meanHr: rng.uniform(62, 94), variability, pvcRate };
}

function replaceEvent(m: MorphologyParams, name: string, update: (e: WaveEvent) => WaveEvent): void {
  m.qrs = m.qrs.map((e) => (e.name === name ? update(e) : e));
}

function withV(e: WaveEvent, v: Vec3): WaveEvent {
  return { ...e, v };
}

/** Applies each label's physiological change to a morphology (in canonical heart orientation). */
export function applyConditions(
  m: MorphologyParams,
  codes: readonly ScpCode[],
  d: ConditionDetails,
  rng: Rng,
): void {
  const sev = (c: ScpCode) => d.severity[c] ?? 1;
  if (codes.includes('LVH')) {
    const k = sev('LVH');
    // Larger, more posterior-leftward forces: tall R in V5/V6 and I, deep S in V1/V2 (Sokolow-Lyon).
    replaceEvent(m, 'R', (e) => ({ ...withV(e, lerp(e.v, [2.1, 0.65, -1.0], k)), sigma: e.sigma * 1.1 }));
    replaceEvent(m, 'S', (e) => withV(e, lerp(e.v, [-0.5, -0.3, -0.9], k)));
    if (d.lvhStrain) {
      m.tVector = lerp(m.tVector, [-0.22, 0.02, 0.24], k);
      m.stVector = lerp(m.stVector, [-0.07, -0.01, 0.04], k);
    }
  }
  if (codes.includes('IMI')) {
    const k = sev('IMI');
    // Necrosis of the inferior wall: initial forces point superiorly (Q in II, III, aVF), T inverts there.
    m.qrs.push({
      name: 'Qinf',
      kind: 'ventricular',
      t: -0.02,
      sigma: 0.012,
      v: scale([0.1, -0.45, 0.05], k),
    });
    replaceEvent(m, 'R', (e) => withV(e, [e.v[0], e.v[1] * (1 - 0.5 * k), e.v[2]]));
    m.tVector = lerp(m.tVector, [0.3, -0.12, 0.12], k);
    if (d.acuteMi) m.stVector = lerp(m.stVector, [-0.02, 0.12, 0], k);
  }
  for (const code of ['AMI', 'ASMI'] as const) {
    if (!codes.includes(code)) continue;
    const k = sev(code);
    const anterior = code === 'AMI';
    // Loss of anterior forces: QS in the septal/anterior leads, inverted T over the territory.
    replaceEvent(m, 'Q', (e) => withV(e, lerp(e.v, anterior ? [-0.05, 0, -0.4] : [-0.1, 0, -0.28], k)));
    replaceEvent(m, 'R', (e) =>
      withV(e, [e.v[0] * (anterior ? 0.85 : 1), e.v[1], e.v[2] - (anterior ? 0.5 : 0.32) * k]),
    );
    m.tVector = lerp(m.tVector, anterior ? [0.15, 0.18, -0.35] : [0.28, 0.17, -0.12], k);
    if (d.acuteMi) m.stVector = lerp(m.stVector, [0.02, 0, anterior ? 0.14 : 0.1], k);
  }
  if (codes.includes('CRBBB')) {
    // Late, slow right-ventricular activation: terminal rightward-anterior R' (rsR' in V1, wide S in I/V6).
    m.qrs.push({
      name: "R'",
      kind: 'ventricular',
      t: rng.uniform(0.07, 0.08),
      sigma: 0.02,
      v: [-0.45, -0.05, 0.75],
    });
    replaceEvent(m, 'S', (e) => withV(e, scale(e.v, 0.5)));
    m.tVector = [m.tVector[0], m.tVector[1], m.tVector[2] - 0.3];
  }
  if (codes.includes('CLBBB')) {
    // Septum activated right-to-left, slow LV spread: no septal q, broad notched R in I/V6, QS in V1.
    const amp = codes.includes('LVH') ? 1.35 : 1;
    m.qrs = [
      { name: 'R1', kind: 'ventricular', t: -0.005, sigma: 0.02, v: scale([0.7, 0.25, -0.55], amp) },
      {
        name: 'R2',
        kind: 'ventricular',
        t: rng.uniform(0.045, 0.055),
        sigma: 0.022,
        v: scale([0.85, 0.05, -0.5], amp),
      },
      ...m.qrs.filter((e) => e.name === 'Qinf'),
    ];
    // Secondary repolarisation: ST-T opposite to the main QRS deflection.
    m.tVector = [-0.3, -0.08, 0.3];
    m.stVector = [-0.08, -0.02, 0.1];
  }
  if (codes.includes('1AVB')) m.prMs = rng.uniform(225, 330);
  if (codes.includes('AFIB')) m.hasP = false;
}

/** The morphology of an ectopic ventricular beat: wide, no P, T opposite the QRS. */
export function pvcMorphology(rng: Rng): MorphologyParams {
  const fromRightVentricle = rng.chance(0.5);
  // An RV focus spreads leftward (LBBB-like); an LV focus rightward-anterior (RBBB-like).
  const main: Vec3 = fromRightVentricle
    ? [1.2, rng.uniform(-0.4, 0.8), -0.9]
    : [-0.8, rng.uniform(-0.5, 0.7), 1.0];
  const a = rng.uniform(0.9, 1.4);
  const v1 = scale(main, a * 0.7);
  const v2 = scale(main, a);
  return {
    prMs: 0,
    hasP: false,
    pVector: [0, 0, 0],
    pSigmaMs: 20,
    qrs: [
      { name: 'V1', kind: 'ventricular', t: -0.02, sigma: 0.028, v: v1 },
      { name: 'V2', kind: 'ventricular', t: 0.03, sigma: 0.03, v: v2 },
    ],
    tVector: scale(main, -0.35 * a),
    tSigmaMs: 70,
    qtMs: 460,
    stVector: scale(main, -0.06),
  };
}
