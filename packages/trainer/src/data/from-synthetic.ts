import { analyseReport, deriveLabels } from '@heartline/ecg/data';
import { createPreprocessor } from '@heartline/ecg/signal';
import { generateEcg } from '@heartline/ecg/synth';
import type { Example, ExampleSet } from './example-set.js';
import { packExamples } from './example-set.js';
import { classCodes, syntheticStatements } from './labels-of.js';

/** Options of {@link syntheticExamples}. */
export interface SyntheticExamplesOptions {
  readonly n: number;
  readonly seed: number | string;
  /** Artefacts: seeded random noise per record (default) or clean signals. */
  readonly noise?: 'random' | 'none';
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Generates `n` synthetic 10 s 12-lead ECGs with DE/EN reports in memory (no files) at the model rate and
 * preprocesses them exactly like real records. Example i gets strat fold 1 + (i mod 10), so the same
 * fold-based split applies to synthetic and real data.
 */
export function syntheticExamples(options: SyntheticExamplesOptions): ExampleSet {
  const preprocessor = createPreprocessor();
  const statements = syntheticStatements();
  const examples: Example[] = [];
  for (let i = 0; i < options.n; i++) {
    const ecg = generateEcg({
      seed: `${String(options.seed)}:${i}`,
      sampleRate: 100,
      noise: options.noise ?? 'random',
    });
    const result = preprocessor(ecg.signal);
    const report = analyseReport(ecg.report);
    examples.push({
      window: result.windows.slice(0, 12 * 1000),
      leadMask: result.leadMask.slice(),
      report: ecg.report,
      reportKey: report.text,
      language: report.language,
      labels: classCodes(deriveLabels(ecg.scpCodes, statements)),
      fold: 1 + (i % 10),
      source: 'synthetic',
      id: `synthetic:${String(options.seed)}:${i}`,
    });
    options.onProgress?.(i + 1, options.n);
  }
  return packExamples(examples);
}
