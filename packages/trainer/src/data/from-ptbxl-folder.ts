import { createPreprocessor, type PreprocessOptions } from '@heartline/ecg/signal';
import { openPtbxlFolder } from '@heartline/node-io';
import type { Example, ExampleSet, ExampleSource } from './example-set.js';
import { packExamples } from './example-set.js';
import { classCodes } from './labels-of.js';

/** Options of {@link examplesFromPtbxlFolder}. */
export interface PtbxlExamplesOptions {
  /** Keep only these strat folds (default: all present). */
  readonly folds?: readonly number[];
  /** At most this many records (default: all). */
  readonly limit?: number;
  /** Preprocessing (default: heartline's model input). */
  readonly preprocess?: PreprocessOptions;
  readonly onProgress?: (done: number, total: number) => void;
  /** What the folder holds, recorded per example (default 'ptbxl'; 'synthetic' for `heartline synth` output). */
  readonly source?: ExampleSource;
}

/**
 * Reads a PTB-XL-layout folder (a real PTB-XL copy, a partial one, or what `heartline synth` writes) from
 * its 100 Hz records and turns each record with a signal into one example (its first 10 s window).
 * Records without waveforms are skipped; `skipped` counts them, `normalised` the records in normalised
 * units (NU: already z-scored by their source), which the preprocessing brings to the same scale as mV ones.
 */
export async function examplesFromPtbxlFolder(
  dir: string,
  options: PtbxlExamplesOptions = {},
): Promise<{ set: ExampleSet; skipped: number; normalised: number }> {
  const folder = await openPtbxlFolder(dir, {
    rate: 100,
    ...(options.folds ? { folds: options.folds } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const preprocessor = createPreprocessor(options.preprocess);
  const examples: Example[] = [];
  let skipped = 0;
  let normalised = 0;
  let done = 0;
  for await (const record of folder.records()) {
    done += 1;
    options.onProgress?.(done, folder.summary.selected);
    if (!record.signal) {
      skipped += 1;
      continue;
    }
    const result = preprocessor(record.signal);
    if (result.windowCount === 0) {
      skipped += 1;
      continue;
    }
    if (record.signal.units?.includes('normalised')) normalised += 1;
    examples.push({
      window: result.windows.slice(0, 12 * 1000),
      leadMask: result.leadMask.slice(),
      report: record.report.raw,
      reportKey: record.report.text,
      language: record.report.language,
      labels: classCodes(record.labels),
      fold: record.stratFold,
      source: options.source ?? 'ptbxl',
      id: `${dir}#${record.ecgId}`,
    });
  }
  return { set: packExamples(examples), skipped, normalised };
}
