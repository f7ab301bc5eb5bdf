import { stringifyCsv } from '../data/csv.js';
import { PTBXL_DATABASE_COLUMNS } from '../data/ptbxl-database.js';
import { SCP_STATEMENT_COLUMNS } from '../data/scp-statements.js';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { encodeWfdbRecord } from '../wfdb/index.js';
import { MODELLED_CODES } from './conditions.js';
import { decimate } from './decimate.js';
import { type GenerateEcgOptions, generateEcg, type SyntheticEcg } from './generate.js';
import { databaseRow, recordPaths, type SyntheticPatient, samplePatient, usedCodes } from './ptbxl-row.js';
import { SCP_STATEMENT_ROWS } from './scp-statement-rows.js';

/** A dataset in memory: relative path → file contents (text for CSV and headers, bytes for signals). */
export type DatasetFiles = Map<string, string | Uint8Array>;

/** Options of `generateDataset`. */
export interface GenerateDatasetOptions {
  /** Number of records, ≥ 1. */
  readonly n: number;
  /** Seed of the whole dataset; record i uses a seed derived from it. */
  readonly seed: number | string;
  /** Rate of the high-rate records, a multiple of 100 (default 500); the low-rate copy is always 100 Hz. */
  readonly rate?: number;
  /** Seconds per record (default 10). */
  readonly seconds?: number;
  /** Artefacts for every record (default `'random'`, seeded per record). */
  readonly noise?: GenerateEcgOptions['noise'];
  /** Called after each record (for progress output). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** PTB-XL's lead labels as written in its headers. */
const HEADER_LEADS = ['I', 'II', 'III', 'AVR', 'AVL', 'AVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

function toDigital(mv: Float32Array): Int16Array {
  const out = new Int16Array(mv.length);
  // Gain 1000 ADC units per mV; −32768 is format 16's invalid-sample code, so clamp above it.
  for (let i = 0; i < mv.length; i++)
    out[i] = Math.max(-32767, Math.min(32767, Math.round((mv[i] as number) * 1000)));
  return out;
}

function addRecord(
  files: DatasetFiles,
  path: string,
  name: string,
  rate: number,
  leads: readonly Float32Array[],
): void {
  const encoded = encodeWfdbRecord({
    recordName: name,
    sampleRate: rate,
    signals: leads.map((lead, i) => ({
      name: HEADER_LEADS[i] as string,
      units: 'mV',
      gain: 1000,
      digital: toDigital(lead),
    })),
  });
  files.set(`${path}.hea`, encoded.header);
  files.set(`${path.slice(0, path.lastIndexOf('/') + 1)}${encoded.dataFileName}`, encoded.data);
}

/** Writes both rates of one generated ECG (generated at `rate`) into `files`; returns the record paths. */
export function addEcgRecords(
  files: DatasetFiles,
  ecgId: number,
  ecg: SyntheticEcg,
  rate: number,
): { lr: string; hr: string } {
  const paths = recordPaths(ecgId, rate);
  addRecord(files, paths.hr, paths.hrName, rate, ecg.signal.leads);
  const factor = rate / 100;
  addRecord(
    files,
    paths.lr,
    paths.lrName,
    100,
    ecg.signal.leads.map((l) => decimate(l, factor)),
  );
  return paths;
}

/** The two CSV files of a PTB-XL layout from finished rows. */
export function addCsvFiles(
  files: DatasetFiles,
  rows: readonly string[][],
  scpCodes: readonly Readonly<Record<string, number>>[],
  extraStatements: ReadonlyMap<string, readonly string[]> = new Map(),
): void {
  files.set('ptbxl_database.csv', stringifyCsv([PTBXL_DATABASE_COLUMNS, ...rows]));
  const codes = usedCodes(
    scpCodes.map((s) => ({ scpCodes: s })),
    MODELLED_CODES,
  );
  // Codes the generator does not model keep their statement rows when the caller has them (paired mode),
  // so labels derived from the written dataset equal those of the source rows.
  const extra = [...new Set(scpCodes.flatMap((s) => Object.keys(s)))]
    .filter((c) => !(codes as readonly string[]).includes(c) && extraStatements.has(c))
    .sort()
    .map((c) => extraStatements.get(c)!);
  files.set(
    'scp_statements.csv',
    stringifyCsv([SCP_STATEMENT_COLUMNS, ...codes.map((c) => SCP_STATEMENT_ROWS[c]), ...extra]),
  );
}

/** Checks a high rate: a multiple of 100 Hz between 100 and 2000. */
export function checkRate(rate: number): number {
  if (!Number.isInteger(rate) || rate % 100 !== 0 || rate < 100 || rate > 2000) {
    throw new InvalidArgumentError('rate', rate, 'must be a multiple of 100 between 100 and 2000');
  }
  return rate;
}

/** Generates a synthetic dataset in PTB-XL layout (WFDB format 16 at both rates plus the two CSV files). */
export function generateDataset(options: GenerateDatasetOptions): DatasetFiles {
  const { n, seed } = options;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('n', n, 'must be a positive integer');
  const rate = checkRate(options.rate ?? 500);
  const rng = new Rng(`dataset:${String(seed)}`);
  const files: DatasetFiles = new Map();
  const rows: string[][] = [];
  const scp: Record<string, number>[] = [];
  const patients: SyntheticPatient[] = [];
  for (let i = 0; i < n; i++) {
    const ecgId = i + 1;
    const recordRng = rng.fork(`record:${ecgId}`);
    // Some patients come back for a second recording, as in PTB-XL.
    const patient =
      patients.length > 0 && recordRng.chance(0.15)
        ? recordRng.choice(patients)
        : samplePatient(recordRng, rng.int(1, 21999));
    if (!patients.includes(patient)) patients.push(patient);
    const ecg = generateEcg({
      seed: `${String(seed)}:${ecgId}`,
      sampleRate: rate,
      seconds: options.seconds ?? 10,
      noise: options.noise ?? 'random',
    });
    const paths = addEcgRecords(files, ecgId, ecg, rate);
    rows.push(databaseRow(ecgId, patient, ecg, paths, recordRng));
    scp.push({ ...ecg.scpCodes });
    options.onProgress?.(ecgId, n);
  }
  addCsvFiles(files, rows, scp);
  return files;
}
