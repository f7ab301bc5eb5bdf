import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import type { MultiLeadSignal } from '@heartline/ecg';
import { type DiagnosticSuperclass, mapSnomedCodes, parseDxCodes } from '@heartline/ecg/data';
import { DatasetError, WfdbHeaderError } from '@heartline/ecg/errors';
import type { WfdbHeader } from '@heartline/ecg/wfdb';
import { HeartlineError, InvalidArgumentError } from '@heartline/model/errors';
import { findWfdbHeaders, readWfdbHeader, readWfdbRecord } from '../wfdb/index.js';

/** Options of {@link readChallengeFolder}. */
export interface ReadChallengeOptions {
  /** Keep at most this many records, in sorted path order (default: all). */
  readonly limit?: number;
  /** Decode the `.mat` signal files (default true). False yields metadata and labels only. */
  readonly includeSignals?: boolean;
  /** Infer NORM for records whose only code is sinus rhythm (default true; see `mapSnomedCodes`). */
  readonly inferNorm?: boolean;
}

/** heartline's labels for a Challenge record, from its SNOMED CT codes through the one mapping table. */
export interface ChallengeLabels {
  /** PTB-XL diagnostic superclasses, canonical order. */
  readonly superclasses: readonly DiagnosticSuperclass[];
  /** PTB-XL rhythm statements (SR, AFIB, …). */
  readonly rhythm: readonly string[];
  /** Closest PTB-XL SCP statements. */
  readonly scp: readonly string[];
  /** True when NORM was inferred from "sinus rhythm and nothing else". */
  readonly normInferred: boolean;
}

/** One PhysioNet/CinC Challenge 2020/2021 record. */
export interface ChallengeRecord {
  /** Record name from the header (e.g. `E07500`). */
  readonly id: string;
  /** Header path relative to the folder, without `.hea` (subfolders are searched). */
  readonly recordPath: string;
  /** The decoded signal in physical units (mV), header lead order; undefined when not asked for. */
  readonly signal: MultiLeadSignal | undefined;
  /** `# Age:`; undefined when absent or not a number (the Challenge writes `NaN`). */
  readonly age: number | undefined;
  /** `# Sex:`; undefined when absent or `Unknown`. */
  readonly sex: 'male' | 'female' | undefined;
  /** SNOMED CT codes from `# Dx:`, in header order (empty when the line is absent). */
  readonly dxCodes: readonly string[];
  readonly labels: ChallengeLabels;
  /** `dxCodes` the mapping table does not map, in header order: reported, never guessed. */
  readonly unmappedCodes: readonly string[];
}

const LAYOUT_HINT =
  'a PhysioNet Challenge 2020/2021 folder holds <record>.hea headers with `# Dx:` SNOMED CT codes and <record>.mat signals';

/** Finds every `.hea` under `dir` (recursively: the Challenge download nests one folder per database). */
/** The value of the first `# Key: value` comment for `key` (case-insensitive), if any. */
function commentValue(header: WfdbHeader, key: string): string | undefined {
  const prefix = `${key.toLowerCase()}:`;
  const line = header.comments.find((c) => c.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

function parseSex(value: string | undefined): 'male' | 'female' | undefined {
  const v = value?.toLowerCase();
  if (v === 'male' || v === 'm') return 'male';
  if (v === 'female' || v === 'f') return 'female';
  return undefined;
}

function parseAge(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Number(value);
}

async function readOne(
  dir: string,
  headerPath: string,
  options: ReadChallengeOptions,
): Promise<ChallengeRecord> {
  const recordPath = headerPath.slice(0, -'.hea'.length);
  let header: WfdbHeader;
  let signal: MultiLeadSignal | undefined;
  try {
    if (options.includeSignals ?? true) {
      const record = await readWfdbRecord(recordPath);
      header = record.header;
      signal = record.signal();
    } else {
      header = await readWfdbHeader(recordPath);
    }
  } catch (error) {
    if (!(error instanceof HeartlineError)) throw error;
    // Name the file on disk (the decoder only knows the bare signal-file name from the header).
    const file = error instanceof WfdbHeaderError ? headerPath : `${recordPath}.mat`;
    throw new DatasetError(file, `unreadable Challenge record: ${error.message}`, { cause: error });
  }
  const dxCodes = parseDxCodes(commentValue(header, 'Dx') ?? '');
  const mapped = mapSnomedCodes(
    dxCodes,
    options.inferNorm === undefined ? {} : { inferNorm: options.inferNorm },
  );
  return {
    id: header.recordName,
    recordPath: relative(dir, recordPath),
    signal,
    age: parseAge(commentValue(header, 'Age')),
    sex: parseSex(commentValue(header, 'Sex')),
    dxCodes,
    labels: {
      superclasses: mapped.superclasses,
      rhythm: mapped.rhythm,
      scp: mapped.scp,
      normInferred: mapped.normInferred,
    },
    unmappedCodes: mapped.unmapped,
  };
}

/**
 * Reads a PhysioNet/CinC Challenge 2020/2021-layout folder: every `<record>.hea` (subfolders included, in
 * sorted path order) with its `.mat` signal (WFDB format 16 after the 24-byte MATLAB v4 header, which the
 * header's `16x1+24` byte offset describes), age, sex and `# Dx:` SNOMED CT codes mapped to heartline's
 * classes. Throws {@link DatasetError} when the folder is missing or holds no `.hea`, and a DatasetError
 * naming the file (the decoder's error as `cause`) when a header or `.mat` is unreadable or truncated.
 */
export async function readChallengeFolder(
  dir: string,
  options: ReadChallengeOptions = {},
): Promise<ChallengeRecord[]> {
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new InvalidArgumentError('limit', options.limit, 'expected a non-negative integer');
  }
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new DatasetError(dir, `not a folder; ${LAYOUT_HINT}`);
  let headers = await findWfdbHeaders(dir);
  if (headers.length === 0) throw new DatasetError(dir, `no .hea records found; ${LAYOUT_HINT}`);
  if (options.limit !== undefined) headers = headers.slice(0, options.limit);
  const records: ChallengeRecord[] = [];
  // A few files in flight at once hide disk latency without holding many decoded signals.
  const batch = 8;
  for (let i = 0; i < headers.length; i += batch) {
    const chunk = headers.slice(i, i + batch);
    records.push(...(await Promise.all(chunk.map((h) => readOne(dir, h, options)))));
  }
  return records;
}
