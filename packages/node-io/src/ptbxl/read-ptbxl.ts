import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MultiLeadSignal } from '@heartline/ecg';
import {
  type LabelOptions,
  type PtbxlDatabaseRecord,
  parsePtbxlDatabase,
  parseScpStatements,
  type ScpStatementTable,
} from '@heartline/ecg/data';
import { DatasetError } from '@heartline/ecg/errors';
import { InvalidArgumentError } from '@heartline/model/errors';
import { readWfdbRecord } from '../wfdb/index.js';

/** Options of {@link openPtbxlFolder} and {@link readPtbxlFolder}. */
export interface ReadPtbxlOptions {
  /** Which copy of the waveforms to read: `records100/` (`filename_lr`) or `records500/` (`filename_hr`). Default 100. */
  readonly rate?: 100 | 500;
  /** Decode the WFDB files (default true). False yields metadata, reports and labels only. */
  readonly includeSignals?: boolean;
  /** Keep only these `strat_fold` values (default: all). */
  readonly folds?: readonly number[];
  /** Keep at most this many records, after the fold filter, in file order (default: all). */
  readonly limit?: number;
  /** How labels are derived from SCP codes (default: every diagnostic code counts). */
  readonly labels?: LabelOptions;
  /** WFDB records read ahead while the caller works on the current one (default 8, range 1–64). */
  readonly readAhead?: number;
}

/** One PTB-XL record: its database row, labels and report, and its signal when the files are present. */
export interface PtbxlRecord extends PtbxlDatabaseRecord {
  /** The record path for the chosen rate, relative to the folder (e.g. `records100/00000/00001_lr`). */
  readonly recordPath: string;
  /** The decoded signal in physical units (mV), leads in the header's order; undefined when absent or not asked for. */
  readonly signal: MultiLeadSignal | undefined;
  /** Set to `recordPath` when the record's `.hea` or `.dat` is not in the folder (a partial copy). */
  readonly missing: string | undefined;
}

/** What a folder holds for the selected records. */
export interface PtbxlSummary {
  /** The folder read. */
  readonly dir: string;
  /** The waveform rate selected. */
  readonly rate: 100 | 500;
  /** Rows in `ptbxl_database.csv`. */
  readonly rows: number;
  /** Records left after the fold filter and limit. */
  readonly selected: number;
  /** Selected records whose `.hea` and `.dat` are present. */
  readonly present: number;
  /** Selected records whose files are absent. */
  readonly missing: number;
}

/** An opened PTB-XL-layout folder: parsed tables up front, signals read lazily by {@link PtbxlFolder.records}. */
export interface PtbxlFolder {
  readonly statements: ScpStatementTable;
  /** The selected database rows (no signals), in file order. */
  readonly rows: readonly PtbxlDatabaseRecord[];
  readonly summary: PtbxlSummary;
  /** Yields each selected record, decoding its signal when asked for and present. */
  records(): AsyncGenerator<PtbxlRecord>;
}

const LAYOUT_HINT =
  'a PTB-XL-layout folder holds ptbxl_database.csv, scp_statements.csv and records100/ and/or records500/ ' +
  '(the PhysioNet download, a partial copy of it, or `heartline synth --out DIR`)';

async function readRequired(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  if (!existsSync(path)) throw new DatasetError(dir, `missing ${name}; ${LAYOUT_HINT}`);
  return readFile(path, 'utf8');
}

/**
 * Opens a PTB-XL-layout folder: parses `scp_statements.csv` and `ptbxl_database.csv`, applies the fold
 * filter and limit, and counts which selected records have their WFDB files. Throws {@link DatasetError}
 * when the folder or either CSV is missing, `CsvError` when a CSV is malformed.
 */
export async function openPtbxlFolder(dir: string, options: ReadPtbxlOptions = {}): Promise<PtbxlFolder> {
  const rate = options.rate ?? 100;
  if (rate !== 100 && rate !== 500) throw new InvalidArgumentError('rate', rate, 'expected 100 or 500');
  const readAhead = options.readAhead ?? 8;
  if (!Number.isInteger(readAhead) || readAhead < 1 || readAhead > 64) {
    throw new InvalidArgumentError('readAhead', readAhead, 'expected an integer in 1–64');
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new InvalidArgumentError('limit', options.limit, 'expected a non-negative integer');
  }
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new DatasetError(dir, `not a folder; ${LAYOUT_HINT}`);
  const statementsText = await readRequired(dir, 'scp_statements.csv');
  const databaseText = await readRequired(dir, 'ptbxl_database.csv');
  const statements = parseScpStatements(statementsText, join(dir, 'scp_statements.csv'));
  const all = parsePtbxlDatabase(databaseText, statements, {
    source: join(dir, 'ptbxl_database.csv'),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
  });
  const folds = options.folds === undefined ? undefined : new Set(options.folds);
  let rows = folds === undefined ? all : all.filter((r) => folds.has(r.stratFold));
  if (options.limit !== undefined) rows = rows.slice(0, options.limit);

  const presence = new PresenceIndex(dir);
  const pathOf = (r: PtbxlDatabaseRecord) => (rate === 100 ? r.filenameLr : r.filenameHr);
  const present: boolean[] = [];
  for (const r of rows) present.push(await presence.has(pathOf(r)));
  const presentCount = present.filter(Boolean).length;
  const summary: PtbxlSummary = {
    dir,
    rate,
    rows: all.length,
    selected: rows.length,
    present: presentCount,
    missing: rows.length - presentCount,
  };
  const includeSignals = options.includeSignals ?? true;

  async function load(i: number): Promise<PtbxlRecord> {
    const row = rows[i]!;
    const recordPath = pathOf(row);
    if (!present[i]) return { ...row, recordPath, signal: undefined, missing: recordPath };
    if (!includeSignals) return { ...row, recordPath, signal: undefined, missing: undefined };
    const wfdb = await readWfdbRecord(join(dir, recordPath));
    return { ...row, recordPath, signal: wfdb.signal(), missing: undefined };
  }

  async function* records(): AsyncGenerator<PtbxlRecord> {
    const queue: Promise<PtbxlRecord>[] = [];
    let next = 0;
    const fill = () => {
      while (queue.length < readAhead && next < rows.length) {
        const p = load(next++);
        // Marks the promise handled so a read-ahead failure surfaces when its turn comes, not as an
        // unhandled rejection while an earlier record is being awaited.
        p.catch(() => undefined);
        queue.push(p);
      }
    };
    fill();
    while (queue.length > 0) {
      const record = await queue.shift()!;
      fill();
      yield record;
    }
  }

  return { statements, rows, summary, records };
}

/**
 * Reads a whole PTB-XL-layout folder into memory (see {@link openPtbxlFolder}). Fine for the shared
 * subsets; for the full dataset with signals prefer iterating `openPtbxlFolder(…).records()`.
 */
export async function readPtbxlFolder(
  dir: string,
  options: ReadPtbxlOptions = {},
): Promise<{ records: PtbxlRecord[]; summary: PtbxlSummary; statements: ScpStatementTable }> {
  const folder = await openPtbxlFolder(dir, options);
  const records: PtbxlRecord[] = [];
  for await (const r of folder.records()) records.push(r);
  return { records, summary: folder.summary, statements: folder.statements };
}

/** Lists each record sub-folder once, so checking 21k records costs a few hundred `readdir`s. */
class PresenceIndex {
  private readonly listings = new Map<string, Promise<ReadonlySet<string>>>();
  constructor(private readonly dir: string) {}

  async has(recordPath: string): Promise<boolean> {
    const folder = dirname(recordPath);
    let listing = this.listings.get(folder);
    if (listing === undefined) {
      listing = readdir(join(this.dir, folder)).then(
        (names) => new Set(names),
        () => new Set<string>(),
      );
      this.listings.set(folder, listing);
    }
    const names = await listing;
    const base = basename(recordPath);
    // PTB-XL records are single-file format 16: `<name>.hea` + `<name>.dat`.
    return names.has(`${base}.hea`) && names.has(`${base}.dat`);
  }
}
