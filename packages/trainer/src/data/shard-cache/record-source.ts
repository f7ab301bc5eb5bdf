import { join } from 'node:path';
import type { MultiLeadSignal } from '@heartline/ecg';
import type { ReportLanguage } from '@heartline/ecg/data';
import { openPtbxlFolder, readWfdbRecord } from '@heartline/node-io';
import type { ExampleSource } from '../example-set.js';
import { classCodes } from '../labels-of.js';

/** One input record as the cache writer needs it: a signal (or none) and what goes beside its window. */
export interface RawRecord {
  /** Physical signal; undefined when the record has no waveform (it is then skipped). */
  readonly signal: MultiLeadSignal | undefined;
  readonly report: string;
  readonly reportKey: string;
  readonly language: ReportLanguage;
  readonly labels: readonly string[];
  readonly fold: number;
  readonly source: ExampleSource;
  readonly id: string;
}

/**
 * A record the cache writer reads only when it needs it, so a rerun after a crash skips the finished
 * shards' records without touching their files. Any reader (PTB-XL, Challenge, plain WFDB folders) plugs
 * in by listing its records as sources.
 */
export interface RecordSource {
  /** Stable identity (e.g. the record's path); the keys of all sources are hashed into the manifest. */
  readonly key: string;
  read(): Promise<RawRecord>;
}

/** Options of {@link ptbxlFolderSources}. */
export interface PtbxlSourcesOptions {
  /** Keep only these strat folds (default: all). */
  readonly folds?: readonly number[];
  /** At most this many records (default: all). */
  readonly limit?: number;
  /** Recorded per example (default 'ptbxl'; 'synthetic' for `heartline synth` output). */
  readonly source?: ExampleSource;
}

/**
 * The 100 Hz records of a PTB-XL-layout folder as sources, in file order, with the same report, labels,
 * fold and id (`<dir>#<ecg_id>`) as `examplesFromPtbxlFolder`. Records whose files are absent read as
 * having no signal.
 */
export async function ptbxlFolderSources(
  dir: string,
  options: PtbxlSourcesOptions = {},
): Promise<RecordSource[]> {
  const folder = await openPtbxlFolder(dir, {
    rate: 100,
    includeSignals: false,
    ...(options.folds ? { folds: options.folds } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const source = options.source ?? 'ptbxl';
  return folder.rows.map((row) => ({
    key: `${dir}#${row.filenameLr}`,
    async read(): Promise<RawRecord> {
      return {
        signal: await readSignal(join(dir, row.filenameLr)),
        report: row.report.raw,
        reportKey: row.report.text,
        language: row.report.language,
        labels: classCodes(row.labels),
        fold: row.stratFold,
        source,
        id: `${dir}#${row.ecgId}`,
      };
    },
  }));
}

/**
 * Plain WFDB records (paths without extension) as sources: no report, labels or fold, only the signal;
 * `source` is recorded per example. The id is the path.
 */
export function wfdbRecordSources(paths: readonly string[], source: ExampleSource): RecordSource[] {
  return paths.map((path) => ({
    key: path,
    async read(): Promise<RawRecord> {
      return {
        signal: await readSignal(path),
        report: '',
        reportKey: '',
        language: 'unknown',
        labels: [],
        fold: 0,
        source,
        id: path,
      };
    },
  }));
}

async function readSignal(path: string): Promise<MultiLeadSignal | undefined> {
  try {
    return (await readWfdbRecord(path)).signal();
  } catch (error) {
    // A partial copy lacks some records: the writer skips them, as the in-memory readers do.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
