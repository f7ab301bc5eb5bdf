/**
 * The user's own PTB-XL-layout folder behind `heartline start --dataset DIR`: checked once, read in place
 * (never copied into the data directory), and named by an identity that changes with its contents, so the
 * bootstrap release trained on it is cached per folder and per preset.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DatasetError } from '@heartline/ecg/errors';
import { openPtbxlFolder } from '@heartline/node-io';

/** Folds a bootstrap release trains on; 9 and 10 are held out and never read for training. */
export const TRAINING_FOLDS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8];

const EXPECTED =
  'heartline start --dataset expects a PTB-XL-layout folder: ptbxl_database.csv, scp_statements.csv and ' +
  "records100/ with each row's filename_lr (<name>.hea and <name>.dat, 100 Hz WFDB), as PhysioNet's PTB-XL " +
  'download, a partial copy of it, or `heartline synth --out DIR` has them';

/** A checked `--dataset` folder. */
export interface StartDataset {
  /** The folder, resolved through symbolic links. */
  readonly dir: string;
  /**
   * 16 hex digits of SHA-256 over the resolved path, both CSVs and the list of 100 Hz records present
   * in folds 1–8: a changed folder, or another one, gets another identity.
   */
  readonly identity: string;
  /** Rows of `ptbxl_database.csv`. */
  readonly rows: number;
  /** Rows whose 100 Hz record is present (what the cloud imports and the devices replay). */
  readonly present: number;
  /** Of those, records in folds 1–8 (what the release trains on). */
  readonly trainable: number;
  /** Rows in folds 9 and 10 (imported and replayed, never trained on). */
  readonly heldOut: number;
}

/** Hex SHA-256 of a file's bytes. */
async function fileHash(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/**
 * Checks that `dir` is a PTB-XL-layout folder with 100 Hz records in folds 1–8 and computes its identity.
 * Throws {@link DatasetError} naming what was expected when it is not.
 */
export async function openStartDataset(dir: string): Promise<StartDataset> {
  let real: string;
  try {
    real = await realpath(resolve(dir));
  } catch (cause) {
    throw new DatasetError(resolve(dir), `no such folder; ${EXPECTED}`, { cause });
  }
  let folder: Awaited<ReturnType<typeof openPtbxlFolder>>;
  try {
    folder = await openPtbxlFolder(real, { rate: 100, includeSignals: false });
  } catch (cause) {
    if (!(cause instanceof DatasetError)) throw cause;
    // The reader's own hint is general ("records100/ and/or records500/"); start needs the 100 Hz copy.
    const detail = cause.message.startsWith(`${real}: `)
      ? cause.message.slice(real.length + 2)
      : cause.message;
    throw new DatasetError(real, `${detail.split(';')[0]}; ${EXPECTED}`, { cause });
  }
  const training = new Set(TRAINING_FOLDS);
  const trainable: string[] = [];
  let heldOut = 0;
  for await (const record of folder.records()) {
    if (!training.has(record.stratFold)) heldOut++;
    else if (record.missing === undefined) trainable.push(record.recordPath);
  }
  const { rows, present } = folder.summary;
  if (present === 0)
    throw new DatasetError(
      real,
      `none of its ${rows} rows has a 100 Hz record in records100/ (a folder with only records500/ ` +
        `is not enough: training, the cloud's cases and the devices read the 100 Hz copy); ${EXPECTED}`,
    );
  if (trainable.length === 0)
    throw new DatasetError(
      real,
      'has no 100 Hz record in strat folds 1–8, the only folds a release trains on (9 and 10 are held out)',
    );
  const hash = createHash('sha256')
    .update(`heartline start --dataset v1\n${real}\n`)
    .update(`${await fileHash(join(real, 'ptbxl_database.csv'))}\n`)
    .update(`${await fileHash(join(real, 'scp_statements.csv'))}\n`)
    .update(trainable.join('\n'));
  return {
    dir: real,
    identity: hash.digest('hex').slice(0, 16),
    rows,
    present,
    trainable: trainable.length,
    heldOut,
  };
}

/**
 * The folder name, under the data directory's `releases/`, of the bootstrap release trained on `dataset`
 * with `preset`: readable (the folder's name) and unique (its identity), so a second start finds it.
 */
export function datasetReleaseName(dataset: StartDataset, preset: string): string {
  const slug =
    basename(dataset.dir)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'dataset';
  return `bootstrap-${preset}-${slug}-${dataset.identity}`;
}
