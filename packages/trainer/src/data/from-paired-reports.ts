import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parsePtbxlDatabase, parseScpStatements } from '@heartline/ecg/data';
import { DatasetError } from '@heartline/ecg/errors';
import { createPreprocessor } from '@heartline/ecg/signal';
import { generateEcg, modelledSubset } from '@heartline/ecg/synth';
import type { Example, ExampleSet } from './example-set.js';
import { packExamples } from './example-set.js';
import { classCodes } from './labels-of.js';

/** Options of {@link pairedReportExamples}. */
export interface PairedExamplesOptions {
  readonly seed: number | string;
  /** Keep only these strat folds (default: all). */
  readonly folds?: readonly number[];
  /** At most this many rows (default: all). */
  readonly limit?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Real PTB-XL report rows (a `ptbxl_database.csv` with or without waveforms) paired with synthetic ECGs
 * consistent with each row's SCP codes (the codes the generator models). Rows none of whose codes are
 * modelled are skipped, so every pair's signal shows at least one finding its report states.
 * `reportKeys` holds the normalised text of every row of the folds, before the limit (the tokenizer's corpus).
 */
export async function pairedReportExamples(
  databaseCsv: string,
  options: PairedExamplesOptions,
): Promise<{ set: ExampleSet; skipped: number; reportKeys: string[] }> {
  const text = await readFile(databaseCsv, 'utf8');
  const statementsPath = join(dirname(databaseCsv), 'scp_statements.csv');
  const statementsText = await readFile(statementsPath, 'utf8').catch((cause: unknown) => {
    throw new DatasetError(statementsPath, 'paired mode needs scp_statements.csv beside the database CSV', {
      cause,
    });
  });
  const statements = parseScpStatements(statementsText, statementsPath);
  let rows = parsePtbxlDatabase(text, statements, { source: databaseCsv });
  if (options.folds) rows = rows.filter((r) => options.folds!.includes(r.stratFold));
  const reportKeys = rows.map((r) => r.report.text).filter((t) => t.length > 0);
  if (options.limit !== undefined) rows = rows.slice(0, options.limit);
  const preprocessor = createPreprocessor();
  const examples: Example[] = [];
  let skipped = 0;
  rows.forEach((row, i) => {
    options.onProgress?.(i + 1, rows.length);
    const { modelled } = modelledSubset(row.scpCodes);
    if (modelled.every((c) => c === 'SR' || c === 'NORM') && !row.labels.superclasses.includes('NORM')) {
      skipped += 1;
      return;
    }
    const ecg = generateEcg({
      seed: `${String(options.seed)}:paired:${row.ecgId}`,
      conditions: modelled,
      likelihoods: row.scpCodes,
      sampleRate: 100,
      noise: 'random',
    });
    const result = preprocessor(ecg.signal);
    examples.push({
      window: result.windows.slice(0, 12 * 1000),
      leadMask: result.leadMask.slice(),
      report: row.report.raw,
      reportKey: row.report.text,
      language: row.report.language,
      labels: classCodes(row.labels),
      fold: row.stratFold,
      source: 'paired',
      id: `paired:${row.ecgId}`,
    });
  });
  return { set: packExamples(examples), skipped, reportKeys };
}
