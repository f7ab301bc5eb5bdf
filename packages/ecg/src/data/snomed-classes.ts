/**
 * The one table that maps SNOMED CT codes, as written in PhysioNet/CinC Challenge 2020/2021 headers
 * (`# Dx: 426783006,164889003`), to heartline's classes: PTB-XL's diagnostic superclasses (NORM, MI,
 * STTC, CD, HYP) and PTB-XL's rhythm statements (SR, AFIB, …), plus the closest PTB-XL SCP statement.
 *
 * Decisions (each row's `note` gives the reason where it is not a direct equivalent):
 * - `426783006` sinus rhythm is a rhythm (SR), not PTB-XL's NORM ("normal ECG" is a diagnosis). The
 *   Challenge has no "normal ECG" code, so NORM is inferred only when a record's codes are sinus rhythm
 *   and nothing else ({@link mapSnomedCodes} option `inferNorm`, default on, and flagged `normInferred`).
 * - A superclass is assigned only where PTB-XL files the equivalent statement under that superclass, or
 *   where the finding is unambiguous (T-wave inversion and ST depression → STTC, although PTB-XL files
 *   INVT/STD_ as form statements without a superclass). Findings that are signs rather than diagnoses
 *   (abnormal Q waves, high QRS voltage, low QRS voltage, premature beats) get their SCP form statement
 *   and no superclass; ST elevation likewise (acute infarction or early repolarisation: ambiguous).
 * - Codes with no PTB-XL counterpart (axis deviation, unspecified bradycardia, …) are not mapped: they
 *   are returned as unmapped, per record, and never guessed. {@link SNOMED_UNMAPPED} says why for the
 *   common ones.
 * Names follow the Challenge 2021 mapping files; `scored` marks its 30 scored codes.
 */
import type { DiagnosticSuperclass } from './scp-statements.js';
import { DIAGNOSTIC_SUPERCLASSES } from './scp-statements.js';

/** One row of {@link SNOMED_CLASS_TABLE}. */
export interface SnomedClassEntry {
  /** SNOMED CT concept id, as in `# Dx:`. */
  readonly code: string;
  /** The Challenge's abbreviation (e.g. `AF`, `IAVB`). */
  readonly abbreviation: string;
  /** The Challenge's name for the code. */
  readonly name: string;
  /** True for the Challenge 2021 scored classes. */
  readonly scored: boolean;
  /** The PTB-XL diagnostic superclass it implies, if any. */
  readonly superclass?: DiagnosticSuperclass;
  /** The PTB-XL rhythm statement it is, if any. */
  readonly rhythm?: string;
  /** The closest PTB-XL SCP statement code, if one exists. */
  readonly scp?: string;
  /** Why the row maps as it does, where that is a judgement. */
  readonly note?: string;
}

type Row = readonly [
  code: string,
  abbreviation: string,
  name: string,
  scored: 0 | 1,
  superclass: string,
  rhythm: string,
  scp: string,
  note?: string,
];

// code, abbreviation, name, scored, superclass, rhythm, scp statement, note ('' = none).
const ROWS: readonly Row[] = [
  // Rhythms (PTB-XL rhythm statements; no superclass).
  ['426783006', 'NSR', 'sinus rhythm', 1, '', 'SR', 'SR', 'a rhythm, not the NORM diagnosis; see inferNorm'],
  ['164889003', 'AF', 'atrial fibrillation', 1, '', 'AFIB', 'AFIB'],
  ['164890007', 'AFL', 'atrial flutter', 1, '', 'AFLT', 'AFLT'],
  ['427084000', 'STach', 'sinus tachycardia', 1, '', 'STACH', 'STACH'],
  ['426177001', 'SB', 'sinus bradycardia', 1, '', 'SBRAD', 'SBRAD'],
  ['427393009', 'SA', 'sinus arrhythmia', 1, '', 'SARRH', 'SARRH'],
  ['10370003', 'PR', 'pacing rhythm', 1, '', 'PACE', 'PACE'],
  ['426761007', 'SVT', 'supraventricular tachycardia', 0, '', 'SVTAC', 'SVTAC'],
  ['67198005', 'PSVT', 'paroxysmal supraventricular tachycardia', 0, '', 'PSVT', 'PSVT'],
  [
    '11157007',
    'VBig',
    'ventricular bigeminy',
    0,
    '',
    'BIGU',
    'BIGU',
    'PTB-XL codes bigeminy without its origin',
  ],
  ['251173003', 'AB', 'atrial bigeminy', 0, '', 'BIGU', 'BIGU', 'PTB-XL codes bigeminy without its origin'],
  [
    '251180001',
    'VTrig',
    'ventricular trigeminy',
    0,
    '',
    'TRIGU',
    'TRIGU',
    'PTB-XL codes trigeminy without its origin',
  ],
  // Conduction disturbances (CD).
  [
    '59118001',
    'RBBB',
    'right bundle branch block',
    1,
    'CD',
    '',
    'CRBBB',
    'scored as one class with 713427006',
  ],
  ['713427006', 'CRBBB', 'complete right bundle branch block', 1, 'CD', '', 'CRBBB'],
  [
    '164909002',
    'LBBB',
    'left bundle branch block',
    1,
    'CD',
    '',
    'CLBBB',
    'scored as one class with 733534002',
  ],
  ['733534002', 'CLBBB', 'complete left bundle branch block', 1, 'CD', '', 'CLBBB'],
  ['713426002', 'IRBBB', 'incomplete right bundle branch block', 1, 'CD', '', 'IRBBB'],
  ['251120003', 'ILBBB', 'incomplete left bundle branch block', 0, 'CD', '', 'ILBBB'],
  [
    '6374002',
    'BBB',
    'bundle branch block',
    1,
    'CD',
    '',
    '',
    'side unknown, so no SCP statement; CD either way',
  ],
  ['270492004', 'IAVB', '1st degree av block', 1, 'CD', '', '1AVB'],
  ['195042002', 'IIAVB', '2nd degree av block', 0, 'CD', '', '2AVB'],
  ['54016002', 'MoI', 'mobitz type i wenckebach atrioventricular block', 0, 'CD', '', '2AVB'],
  ['426183003', 'IIAVBII', 'mobitz type II atrioventricular block', 0, 'CD', '', '2AVB'],
  ['27885002', 'CHB', 'complete heart block', 0, 'CD', '', '3AVB'],
  ['233917008', 'AVB', 'av block', 0, 'CD', '', '', 'degree unknown, so no SCP statement; CD either way'],
  ['445118002', 'LAnFB', 'left anterior fascicular block', 1, 'CD', '', 'LAFB'],
  ['445211001', 'LPFB', 'left posterior fascicular block', 0, 'CD', '', 'LPFB'],
  ['698252002', 'NSIVCB', 'nonspecific intraventricular conduction disorder', 1, 'CD', '', 'IVCD'],
  ['74390002', 'WPW', 'wolff parkinson white pattern', 0, 'CD', '', 'WPW'],
  // Hypertrophy (HYP), ventricular and atrial as in PTB-XL.
  ['164873001', 'LVH', 'left ventricular hypertrophy', 0, 'HYP', '', 'LVH'],
  ['89792004', 'RVH', 'right ventricular hypertrophy', 0, 'HYP', '', 'RVH'],
  [
    '266249003',
    'VH',
    'ventricular hypertrophy',
    0,
    'HYP',
    '',
    '',
    'side unknown, so no SCP statement; HYP either way',
  ],
  ['67741000119109', 'LAE', 'left atrial enlargement', 0, 'HYP', '', 'LAO/LAE'],
  [
    '253352002',
    'LAA',
    'left atrial abnormality',
    0,
    'HYP',
    '',
    'LAO/LAE',
    'PTB-XL: left atrial overload/enlargement',
  ],
  ['446813000', 'LAH', 'left atrial hypertrophy', 0, 'HYP', '', 'LAO/LAE'],
  ['446358003', 'RAH', 'right atrial hypertrophy', 0, 'HYP', '', 'RAO/RAE'],
  [
    '253339007',
    'RAAb',
    'right atrial abnormality',
    0,
    'HYP',
    '',
    'RAO/RAE',
    'PTB-XL: right atrial overload/enlargement',
  ],
  [
    '195126007',
    'AH',
    'atrial hypertrophy',
    0,
    'HYP',
    '',
    '',
    'side unknown, so no SCP statement; HYP either way',
  ],
  // Myocardial infarction (MI).
  ['164865005', 'MI', 'myocardial infarction', 0, 'MI', '', '', 'location unknown, so no SCP statement'],
  ['57054005', 'AMI', 'acute myocardial infarction', 0, 'MI', '', ''],
  ['164867002', 'OldMI', 'old myocardial infarction', 0, 'MI', '', ''],
  ['54329005', 'AnMI', 'anterior myocardial infarction', 0, 'MI', '', 'AMI'],
  // ST/T changes (STTC).
  [
    '164934002',
    'TAb',
    't wave abnormal',
    1,
    'STTC',
    '',
    'NDT',
    'PTB-XL NDT (diagnostic STTC); its TAB_ form code is rarer',
  ],
  [
    '59931005',
    'TInv',
    't wave inversion',
    1,
    'STTC',
    '',
    'INVT',
    'PTB-XL files INVT as form only; STTC by clinical meaning',
  ],
  [
    '429622005',
    'STD',
    'st depression',
    0,
    'STTC',
    '',
    'STD_',
    'PTB-XL files STD_ as form only; STTC by clinical meaning',
  ],
  ['55930002', 'STC', 's t changes', 0, 'STTC', '', 'NST_'],
  ['428750005', 'NSSTTA', 'nonspecific st t abnormality', 0, 'STTC', '', 'NST_'],
  ['164930006', 'STIAb', 'st interval abnormal', 0, 'STTC', '', 'NST_'],
  ['164861001', 'MIs', 'myocardial ischemia', 0, 'STTC', '', 'ISC_'],
  ['426434006', 'AnMIs', 'anterior ischemia', 0, 'STTC', '', 'ISCAN'],
  ['425419005', 'IIs', 'inferior ischaemia', 0, 'STTC', '', 'ISCIN'],
  ['425623009', 'LIs', 'lateral ischaemia', 0, 'STTC', '', 'ISCLA'],
  ['111975006', 'LQT', 'prolonged qt interval', 1, 'STTC', '', 'LNGQT'],
  // Form statements: signs, not diagnoses (no superclass).
  [
    '164931005',
    'STE',
    'st elevation',
    0,
    '',
    '',
    'STE_',
    'infarction or early repolarisation: no superclass',
  ],
  [
    '164917005',
    'QAb',
    'qwave abnormal',
    1,
    '',
    '',
    'QWAVE',
    'a sign of old infarction, not a diagnosis: no superclass',
  ],
  ['55827005', 'LVHV', 'left ventricular high voltage', 0, '', '', 'VCLVH', 'voltage criteria only, not LVH'],
  ['251146004', 'LQRSV', 'low qrs voltages', 1, '', '', 'LVOLT'],
  ['164951009', 'abQRS', 'abnormal QRS', 0, '', '', 'ABQRS'],
  [
    '164947007',
    'LPR',
    'prolonged pr interval',
    1,
    '',
    '',
    'LPR',
    'PTB-XL LPR is a form statement (1AVB is the CD one)',
  ],
  ['284470004', 'PAC', 'premature atrial contraction', 1, '', '', 'PAC', 'scored as one class with 63593006'],
  ['63593006', 'SVPB', 'supraventricular premature beats', 1, '', '', 'PAC'],
  [
    '427172004',
    'PVC',
    'premature ventricular contractions',
    1,
    '',
    '',
    'PVC',
    'scored as one class with 17338001',
  ],
  ['17338001', 'VPB', 'ventricular premature beats', 1, '', '', 'PVC'],
  ['164884008', 'VEB', 'ventricular ectopics', 0, '', '', 'PVC'],
];

/** Every SNOMED CT code heartline maps, keyed by code. */
export const SNOMED_CLASS_TABLE: ReadonlyMap<string, SnomedClassEntry> = new Map(
  ROWS.map(([code, abbreviation, name, scored, superclass, rhythm, scp, note]) => [
    code,
    {
      code,
      abbreviation,
      name,
      scored: scored === 1,
      ...(superclass === '' ? {} : { superclass: superclass as DiagnosticSuperclass }),
      ...(rhythm === '' ? {} : { rhythm }),
      ...(scp === '' ? {} : { scp }),
      ...(note === undefined ? {} : { note }),
    },
  ]),
);

/** Codes deliberately left unmapped (they stay in `unmapped`), with the reason. */
export const SNOMED_UNMAPPED: ReadonlyMap<string, string> = new Map([
  ['39732003', 'left axis deviation: PTB-XL has no axis statement'],
  ['47665007', 'right axis deviation: PTB-XL has no axis statement'],
  ['251200008', 'indeterminate cardiac axis: PTB-XL has no axis statement'],
  ['426627000', 'bradycardia of unstated mechanism: not necessarily sinus'],
  ['365413008', 'poor R-wave progression: no PTB-XL statement'],
  ['428417006', 'early repolarisation: no PTB-XL statement'],
  ['251187003', 'atrial escape beat: no PTB-XL statement'],
  ['713422000', 'atrial tachycardia: PTB-XL SVTAC does not say atrial'],
]);

/** What {@link mapSnomedCodes} makes of one record's `# Dx:` codes. */
export interface SnomedLabels {
  /** Superclasses in {@link DIAGNOSTIC_SUPERCLASSES} order, NORM included when inferred. */
  readonly superclasses: readonly DiagnosticSuperclass[];
  /** PTB-XL rhythm statements, unique, in record order. */
  readonly rhythm: readonly string[];
  /** Closest PTB-XL SCP statements, unique, in record order. */
  readonly scp: readonly string[];
  /** Codes not in {@link SNOMED_CLASS_TABLE}, in record order (never guessed). */
  readonly unmapped: readonly string[];
  /** True when NORM came from the "sinus rhythm and nothing else" rule. */
  readonly normInferred: boolean;
}

/** Options of {@link mapSnomedCodes}. */
export interface MapSnomedOptions {
  /** Infer NORM for a record whose only code is sinus rhythm (426783006). Default true. */
  readonly inferNorm?: boolean;
}

/** The SNOMED CT code of sinus rhythm, the basis of the NORM inference. */
export const SNOMED_SINUS_RHYTHM = '426783006';

/** Maps one record's SNOMED CT codes to superclasses, rhythm and SCP statements through the table. */
export function mapSnomedCodes(codes: readonly string[], options: MapSnomedOptions = {}): SnomedLabels {
  const supers = new Set<DiagnosticSuperclass>();
  const rhythm = new Set<string>();
  const scp = new Set<string>();
  const unmapped: string[] = [];
  for (const code of codes) {
    const entry = SNOMED_CLASS_TABLE.get(code);
    if (entry === undefined) {
      if (!unmapped.includes(code)) unmapped.push(code);
      continue;
    }
    if (entry.superclass !== undefined) supers.add(entry.superclass);
    if (entry.rhythm !== undefined) rhythm.add(entry.rhythm);
    if (entry.scp !== undefined) scp.add(entry.scp);
  }
  const normInferred =
    (options.inferNorm ?? true) && codes.length > 0 && codes.every((c) => c === SNOMED_SINUS_RHYTHM);
  if (normInferred) supers.add('NORM');
  return {
    superclasses: DIAGNOSTIC_SUPERCLASSES.filter((c) => supers.has(c)),
    rhythm: [...rhythm],
    scp: [...scp],
    unmapped,
    normInferred,
  };
}

/** Parses a `# Dx:` comment value (`"426783006,164889003"`) into codes; blank entries are dropped. */
export function parseDxCodes(value: string): string[] {
  return value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}
