import { InvalidArgumentError } from '../errors.js';
import { CANONICAL_LEADS } from '../signal/leads.js';
import type { MultiLeadSignal } from '../signal/multi-lead-signal.js';
import { Rng } from '../util/rng.js';
import { beatEvents, normalMorphology, rotate, type Vec3, type WaveEvent } from './beat-model.js';
import {
  applyConditions,
  type ConditionDetails,
  normaliseConditions,
  pvcMorphology,
  rhythmFor,
  type ScpCode,
  sampleConditions,
} from './conditions.js';
import { addFibrillatoryWaves, synthesiseDipole } from './ecg-model.js';
import { LEAD_VECTORS, projectToLeads } from './lead-projection.js';
import { addNoise, NO_NOISE, type NoiseOptions, type NoiseReport, sampleNoiseOptions } from './noise.js';
import { type ReportLanguage, writeReport } from './reports.js';
import { scheduleBeats } from './rhythm.js';

/** Options of `generateEcg`. */
export interface GenerateEcgOptions {
  /** Seed of every random choice; the same seed and options give identical output. */
  readonly seed: number | string;
  /** SCP codes to model (see `MODELLED_CODES`); default: a random PTB-XL-like label set. */
  readonly conditions?: readonly string[];
  /** Likelihood (0–100) per diagnostic code as in PTB-XL's scp_codes; scales how pronounced it is. Default: drawn. */
  readonly likelihoods?: Readonly<Record<string, number>>;
  /** Samples per second, 50–2000. Default 500. */
  readonly sampleRate?: number;
  /** Duration in seconds, 1–120. Default 10. */
  readonly seconds?: number;
  /** Artefacts: `'none'`, `'random'` (seeded intensities, default) or explicit intensities. */
  readonly noise?: 'none' | 'random' | Partial<NoiseOptions>;
  /** Report language; default German with probability 0.6, as in PTB-XL. */
  readonly language?: ReportLanguage;
}

/** Measured-by-construction facts about a generated ECG (also what the report describes). */
export interface EcgFindings {
  /** Mean ventricular rate in bpm over the record. */
  readonly heartRate: number;
  /** PR interval in ms (undefined without P waves). */
  readonly prMs: number | undefined;
  /** QRS duration in ms of the normal beats. */
  readonly qrsMs: number;
  /** Frontal QRS axis in degrees (−180…180). */
  readonly axisDeg: number;
  /** PTB-XL `heart_axis` class: ALAD, LAD, MID, RAD or ARAD. */
  readonly heartAxis: 'ALAD' | 'LAD' | 'MID' | 'RAD' | 'ARAD';
  /** Premature ventricular complexes inside the record. */
  readonly pvcCount: number;
  readonly acuteMi: boolean;
  readonly lvhStrain: boolean;
}

/** A generated 12-lead ECG with its labels and report. */
export interface SyntheticEcg {
  /** 12 leads in canonical order, mV. */
  readonly signal: MultiLeadSignal;
  /** The modelled codes, in `MODELLED_CODES` order. */
  readonly codes: readonly ScpCode[];
  /** PTB-XL `scp_codes`: code → likelihood (rhythm statements 0, as in PTB-XL). */
  readonly scpCodes: Readonly<Record<string, number>>;
  readonly report: string;
  readonly language: ReportLanguage;
  readonly findings: EcgFindings;
  readonly noise: NoiseReport;
}

const DIAGNOSTIC_GRADED: readonly ScpCode[] = ['AMI', 'ASMI', 'IMI', 'LVH'];

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, value, `must be a number in [${min}, ${max}]`);
  }
  return value;
}

function likelihoodsFor(
  codes: readonly ScpCode[],
  given: Readonly<Record<string, number>>,
  rng: Rng,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const code of codes) {
    const g = given[code];
    if (g !== undefined) out[code] = g;
    else if (code === 'SR' || code === 'SBRAD' || code === 'STACH' || code === 'AFIB') out[code] = 0;
    else if (DIAGNOSTIC_GRADED.includes(code)) {
      out[code] = rng.weighted([
        [100, 0.5],
        [80, 0.08],
        [50, 0.22],
        [35, 0.05],
        [15, 0.15],
      ] as const);
    } else if (code === 'NORM') out[code] = rng.chance(0.85) ? 100 : 80;
    else out[code] = 100;
  }
  return out;
}

function axisClass(deg: number): EcgFindings['heartAxis'] {
  if (deg < -30) return deg < -150 ? 'ARAD' : 'ALAD';
  if (deg < 0) return 'LAD';
  if (deg <= 90) return 'MID';
  return deg <= 120 ? 'RAD' : 'ARAD';
}

/** Frontal axis from the net QRS area vector (area of a Gaussian event ∝ amplitude × σ). */
function frontalAxis(qrs: readonly WaveEvent[]): number {
  let ax = 0;
  let ay = 0;
  let az = 0;
  for (const e of qrs) {
    ax += e.v[0] * e.sigma;
    ay += e.v[1] * e.sigma;
    az += e.v[2] * e.sigma;
  }
  const [ix, iy, iz] = LEAD_VECTORS.I;
  const [jx, jy, jz] = LEAD_VECTORS.II;
  const leadI = ix * ax + iy * ay + iz * az;
  const leadII = jx * ax + jy * ay + jz * az;
  return (Math.atan2(leadII - leadI / 2, leadI) * 180) / Math.PI;
}

/** QRS duration as read on paper: earliest event centre − 2σ to latest centre + 2σ. */
function visibleQrsMs(qrs: readonly WaveEvent[]): number {
  let from = 0;
  let to = 0;
  for (const e of qrs) {
    from = Math.min(from, e.t - 2 * e.sigma);
    to = Math.max(to, e.t + 2 * e.sigma);
  }
  return (to - from) * 1000;
}

/** Generates one seeded synthetic 12-lead ECG with PTB-XL-style labels and a free-text report. */
export function generateEcg(options: GenerateEcgOptions): SyntheticEcg {
  const sampleRate = checkRange('sampleRate', options.sampleRate ?? 500, 50, 2000);
  const seconds = checkRange('seconds', options.seconds ?? 10, 1, 120);
  const root = new Rng(options.seed);
  const labelRng = root.fork('labels');
  const morphRng = root.fork('morphology');
  const rhythmRng = root.fork('rhythm');
  const noiseRng = root.fork('noise');
  const reportRng = root.fork('report');

  const codes = options.conditions ? normaliseConditions(options.conditions) : sampleConditions(labelRng);
  const scpCodes = likelihoodsFor(codes, options.likelihoods ?? {}, labelRng);
  const severity: Partial<Record<ScpCode, number>> = {};
  for (const c of DIAGNOSTIC_GRADED)
    if (codes.includes(c)) severity[c] = 0.45 + 0.55 * ((scpCodes[c] ?? 100) / 100);
  const details: ConditionDetails = {
    severity,
    acuteMi: morphRng.chance(0.2),
    lvhStrain: morphRng.chance(0.6),
  };

  const m = normalMorphology();
  m.prMs = morphRng.uniform(120, 170);
  m.qtMs = morphRng.uniform(385, 425);
  applyConditions(m, codes, details, morphRng);
  // Individual anatomy: heart orientation and body habitus vary between people.
  const leftShift = codes.includes('CLBBB') || codes.includes('LVH') ? -0.3 : 0;
  const frontal = morphRng.normal(leftShift, 0.3);
  const horizontal = morphRng.normal(0, 0.15);
  const qrsGain = morphRng.uniform(0.75, 1.3);
  const tGain = morphRng.uniform(0.7, 1.2);
  const orient = (v: Vec3, k: number): Vec3 => {
    const r = rotate(v, frontal, horizontal);
    return [r[0] * k, r[1] * k, r[2] * k];
  };
  m.qrs = m.qrs.map((e) => ({ ...e, v: orient(e.v, qrsGain) }));
  m.tVector = orient(m.tVector, tGain);
  m.stVector = orient(m.stVector, 1);
  m.pVector = rotate(m.pVector, frontal * 0.3, 0);

  const pvc = pvcMorphology(morphRng);
  const rhythm = rhythmFor(codes, rhythmRng);
  const beats = scheduleBeats(rhythm, seconds, rhythmRng);
  const dipole = synthesiseDipole(
    beats,
    { normal: beatEvents(m), pvc: beatEvents(pvc) },
    sampleRate,
    seconds,
  );
  if (codes.includes('AFIB')) addFibrillatoryWaves(dipole, sampleRate, rhythmRng);
  const leads = projectToLeads(dipole.x, dipole.y, dipole.z);

  const noiseOptions =
    options.noise === 'none'
      ? NO_NOISE
      : options.noise === undefined || options.noise === 'random'
        ? sampleNoiseOptions(noiseRng)
        : { ...NO_NOISE, ...options.noise };
  const noise = addNoise(leads, sampleRate, noiseOptions, noiseRng);

  const inside = beats.filter((b) => b.time >= 0 && b.time < seconds);
  const findings: EcgFindings = {
    heartRate:
      inside.length > 1
        ? (60 * (inside.length - 1)) / ((inside.at(-1)?.time ?? 0) - (inside[0]?.time ?? 0))
        : rhythm.meanHr,
    prMs: m.hasP ? m.prMs : undefined,
    qrsMs: visibleQrsMs(m.qrs),
    axisDeg: frontalAxis(m.qrs),
    heartAxis: axisClass(frontalAxis(m.qrs)),
    pvcCount: inside.filter((b) => b.origin === 'pvc').length,
    acuteMi: details.acuteMi && codes.some((c) => c === 'AMI' || c === 'ASMI' || c === 'IMI'),
    lvhStrain: details.lvhStrain && codes.includes('LVH'),
  };
  const language: ReportLanguage = options.language ?? (reportRng.chance(0.6) ? 'de' : 'en');
  const report = writeReport({ codes, findings, language, likelihoods: scpCodes }, reportRng);
  return {
    signal: { sampleRate, leadNames: [...CANONICAL_LEADS], leads: leads.map((l) => Float32Array.from(l)) },
    codes,
    scpCodes,
    report,
    language,
    findings,
    noise,
  };
}
