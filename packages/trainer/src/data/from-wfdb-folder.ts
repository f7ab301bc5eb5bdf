import type { MultiLeadSignal } from '@heartline/ecg';
import { createPreprocessor, type PreprocessOptions } from '@heartline/ecg/signal';
import { HeartlineError } from '@heartline/model/errors';
import { readWfdbRecord, type WfdbRecordOnDisk } from '@heartline/node-io';
import type { Example, ExampleSet } from './example-set.js';
import { packExamples } from './example-set.js';

/** Options of {@link examplesFromWfdbRecords}. */
export interface WfdbExamplesOptions {
  /** At most this many records (default: all). */
  readonly limit?: number;
  readonly preprocess?: PreprocessOptions;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Unpaired examples from plain WFDB records (paths without `.hea`): each record's first 10 s window, no
 * report, no labels, fold 0 (the folder says none). They train the self-supervised stage only. Records too
 * short for one window, or whose signals do not share one rate, are skipped and counted; `normalised`
 * counts records in normalised units (NU).
 */
export async function examplesFromWfdbRecords(
  dir: string,
  records: readonly string[],
  options: WfdbExamplesOptions = {},
): Promise<{ set: ExampleSet; skipped: number; normalised: number }> {
  const selected = options.limit === undefined ? records : records.slice(0, options.limit);
  const preprocessor = createPreprocessor(options.preprocess);
  const examples: Example[] = [];
  let skipped = 0;
  let normalised = 0;
  const readAhead = 8;
  for (let i = 0; i < selected.length; i += readAhead) {
    const chunk = selected.slice(i, i + readAhead);
    const read = await Promise.all(chunk.map((path) => readWfdbRecord(path)));
    read.forEach((wfdb) => {
      const signal = readableSignal(wfdb);
      const result = signal ? preprocessor(signal) : undefined;
      if (!signal || !result || result.windowCount === 0) {
        skipped += 1;
        return;
      }
      if (signal.units?.includes('normalised')) normalised += 1;
      examples.push({
        window: result.windows.slice(0, 12 * 1000),
        leadMask: result.leadMask.slice(),
        report: '',
        reportKey: '',
        language: 'unknown',
        labels: [],
        fold: 0,
        source: 'wfdb',
        id: `${dir}#${wfdb.header.recordName}`,
      });
    });
    options.onProgress?.(Math.min(i + readAhead, selected.length), selected.length);
  }
  return { set: packExamples(examples), skipped, normalised };
}

/** The record's signal, or undefined when it has none or its signals cannot form one (mixed rates). */
function readableSignal(wfdb: WfdbRecordOnDisk): MultiLeadSignal | undefined {
  if (wfdb.header.signals.length === 0) return undefined;
  try {
    return wfdb.signal();
  } catch (error) {
    if (error instanceof HeartlineError) return undefined;
    throw error;
  }
}
