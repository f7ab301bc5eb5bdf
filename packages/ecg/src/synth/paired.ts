import { stringifyCsv } from '../data/csv.js';
import { SCP_STATEMENT_COLUMNS } from '../data/scp-statements.js';
import { Rng } from '../util/rng.js';
import { conditionConflict, isModelledCode, RHYTHM_CODES, type ScpCode } from './conditions.js';
import { addCsvFiles, addEcgRecords, checkRate, type DatasetFiles } from './dataset.js';
import { type GenerateEcgOptions, generateEcg } from './generate.js';
import { databaseRow, samplePatient } from './ptbxl-row.js';

/** A real PTB-XL row to pair with a synthetic signal. */
export interface PairedRow {
  readonly ecgId: number;
  readonly report: string;
  readonly scpCodes: Readonly<Record<string, number>>;
}

/** Options of `generatePaired` beyond rows and seed. */
export interface GeneratePairedOptions {
  /** High rate, a multiple of 100 (default 500). */
  readonly rate?: number;
  /** Seconds per record (default 10). */
  readonly seconds?: number;
  /** Artefacts (default `'random'`). */
  readonly noise?: GenerateEcgOptions['noise'];
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Statement rows of the source dataset by code (columns as {@link SCP_STATEMENT_COLUMNS}); rows of codes
   * the generator does not model are copied into the written `scp_statements.csv`. Default: none.
   */
  readonly sourceStatements?: ReadonlyMap<string, readonly string[]>;
}

/** Per row: which of its codes the signal shows and which it cannot (unknown to the model, or conflicting). */
export interface PairedRowResult {
  readonly ecgId: number;
  readonly modelled: readonly ScpCode[];
  readonly notModelled: readonly string[];
}

/** The dataset files plus the per-row modelling summary. */
export interface PairedDataset {
  readonly files: DatasetFiles;
  readonly rows: readonly PairedRowResult[];
}

/**
 * Chooses the modelled subset of a row's codes: the rhythm first, then diagnoses by falling likelihood,
 * skipping any that would conflict with those already taken (e.g. NORM next to a pathology).
 */
export function modelledSubset(scpCodes: Readonly<Record<string, number>>): {
  modelled: ScpCode[];
  notModelled: string[];
} {
  const entries = Object.entries(scpCodes);
  const isRhythm = (c: string) => (RHYTHM_CODES as readonly string[]).includes(c);
  entries.sort(
    (a, b) => Number(isRhythm(b[0])) - Number(isRhythm(a[0])) || b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  const modelled: ScpCode[] = [];
  const notModelled: string[] = [];
  for (const [code] of entries) {
    if (isModelledCode(code) && conditionConflict([...modelled, code]) === undefined) modelled.push(code);
    else notModelled.push(code);
  }
  // NORM beside a pathology the model does not show (e.g. NORM 80 + IRBBB) stays NORM; the reverse is already excluded.
  return { modelled, notModelled };
}

/**
 * Paired mode: for each real row, an ECG consistent with the row's modelled SCP codes, stored with the
 * row's real report text and codes, in PTB-XL layout under the row's own `ecg_id`.
 */
export function generatePaired(
  rows: readonly PairedRow[],
  seed: number | string,
  options: GeneratePairedOptions = {},
): PairedDataset {
  const rate = checkRate(options.rate ?? 500);
  const rng = new Rng(`paired:${String(seed)}`);
  const files: DatasetFiles = new Map();
  const csvRows: string[][] = [];
  const results: PairedRowResult[] = [];
  rows.forEach((row, i) => {
    const { modelled, notModelled } = modelledSubset(row.scpCodes);
    const recordRng = rng.fork(`row:${row.ecgId}`);
    const ecg = generateEcg({
      seed: `${String(seed)}:${row.ecgId}`,
      conditions: modelled,
      likelihoods: row.scpCodes,
      sampleRate: rate,
      seconds: options.seconds ?? 10,
      noise: options.noise ?? 'random',
    });
    const paths = addEcgRecords(files, row.ecgId, ecg, rate);
    const patient = samplePatient(recordRng, recordRng.int(1, 21999));
    csvRows.push(
      databaseRow(
        row.ecgId,
        patient,
        { ...ecg, codes: Object.keys(row.scpCodes), scpCodes: row.scpCodes, report: row.report },
        paths,
        recordRng,
      ),
    );
    results.push({ ecgId: row.ecgId, modelled, notModelled });
    options.onProgress?.(i + 1, rows.length);
  });
  addCsvFiles(
    files,
    csvRows,
    rows.map((r) => r.scpCodes),
    options.sourceStatements,
  );
  files.set(
    'synth_pairing.csv',
    stringifyCsv([
      ['ecg_id', 'modelled', 'not_modelled'],
      ...results.map((r) => [String(r.ecgId), r.modelled.join(' '), r.notModelled.join(' ')]),
    ]),
  );
  return { files, rows: results };
}
