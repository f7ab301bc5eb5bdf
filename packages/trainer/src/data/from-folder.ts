import { join } from 'node:path';
import { detectDatasetLayout } from '@heartline/node-io';
import type { ExampleSet } from './example-set.js';
import { examplesFromChallengeFolder } from './from-challenge-folder.js';
import { examplesFromPtbxlFolder } from './from-ptbxl-folder.js';
import { examplesFromWfdbRecords } from './from-wfdb-folder.js';

/**
 * What a data folder gave: `ptbxl` ECGs with their reports (pairs), `ptbxl-reports` report rows without
 * waveforms (their text feeds the tokenizer and the text side, paired with synthetic ECGs), `challenge`
 * and `wfdb` ECGs without reports (the self-supervised stage's data).
 */
export interface FolderExamples {
  readonly dir: string;
  readonly kind: 'ptbxl' | 'ptbxl-reports' | 'challenge' | 'wfdb';
  /** The folder's ECG examples (none for `ptbxl-reports`). */
  readonly set: ExampleSet;
  /** Records skipped (no waveform, too short, unreadable as one signal). */
  readonly skipped: number;
  /** The database CSV of a `ptbxl-reports` folder. */
  readonly reportsCsv?: string;
  /** One line saying what was found, for the training log. */
  readonly description: string;
}

/** Options of {@link examplesFromFolder}. */
export interface FolderExamplesOptions {
  /** PTB-XL strat folds to read (the other layouts have none: fold 0). */
  readonly folds: readonly number[];
  /** At most this many records per folder (default: all). */
  readonly limit?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

const units = (normalised: number, total: number) =>
  normalised === 0
    ? 'in mV'
    : normalised === total
      ? 'in normalised units (NU)'
      : `${normalised} in normalised units (NU), the rest in mV`;

/**
 * Reads any data folder — PTB-XL layout with or without waveforms (and with or without 500 Hz copies:
 * the 100 Hz records are read), a PhysioNet Challenge folder, or a plain WFDB folder — into examples, and
 * says what it found. Signals in mV and in normalised units go through the same preprocessing (band-pass,
 * per-lead z-score per window) to the same scale; lead quality judges NU leads by shape.
 */
export async function examplesFromFolder(dir: string, o: FolderExamplesOptions): Promise<FolderExamples> {
  const layout = await detectDatasetLayout(dir);
  const progress = {
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
  };
  if (layout.kind === 'ptbxl') {
    const { set, skipped, normalised } = await examplesFromPtbxlFolder(dir, { folds: o.folds, ...progress });
    if (set.size === 0 && skipped > 0)
      return {
        dir,
        kind: 'ptbxl-reports',
        set,
        skipped,
        reportsCsv: join(dir, 'ptbxl_database.csv'),
        description: `PTB-XL layout without waveforms: ${skipped} reports of folds ${o.folds.join(', ')} (text side)`,
      };
    return {
      dir,
      kind: 'ptbxl',
      set,
      skipped,
      description:
        `PTB-XL layout: ${set.size} ECGs with reports (100 Hz, ${units(normalised, set.size)})` +
        (skipped ? `, ${skipped} rows without waveforms skipped` : ''),
    };
  }
  if (layout.kind === 'challenge') {
    const { set } = await examplesFromChallengeFolder(dir, o.limit !== undefined ? { limit: o.limit } : {});
    return {
      dir,
      kind: 'challenge',
      set: { ...set, folds: new Int8Array(set.size) },
      skipped: 0,
      description: `Challenge layout: ${set.size} ECGs without reports (self-supervised stage)`,
    };
  }
  const { set, skipped, normalised } = await examplesFromWfdbRecords(dir, layout.records, progress);
  return {
    dir,
    kind: 'wfdb',
    set,
    skipped,
    description:
      `plain WFDB folder (${layout.from === 'RECORDS' ? 'RECORDS file' : 'every .hea'}): ${set.size} ECGs without reports ` +
      `(${units(normalised, set.size)}, self-supervised stage)${skipped ? `, ${skipped} unreadable or too short skipped` : ''}`,
  };
}
