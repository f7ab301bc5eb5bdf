/**
 * The data step of a pretraining release: reads the PTB-XL-layout folders (folds 1–8), adds synthetic
 * examples and real reports paired with synthetic signals, splits by fold, and shapes the batches.
 */
import { DatasetError } from '@heartline/ecg/errors';
import { InvalidArgumentError } from '@heartline/model/errors';
import type { CgDmerConfig, PretrainBatch } from '@heartline/model/nn';
import type { WordPieceTokenizer } from '@heartline/model/text';
import { type BatchSource, createBatchSource } from '../data/batches.js';
import { concatExamples, type ExampleSet, subsetExamples } from '../data/example-set.js';
import { examplesFromFolder } from '../data/from-folder.js';
import { pairedReportExamples } from '../data/from-paired-reports.js';
import { syntheticExamples } from '../data/from-synthetic.js';
import type { TrainingRecipe } from '../recipes.js';
import type { RunContext } from './run-context.js';

/** Folds held out of every release: never read. */
const NEVER_READ = [9, 10];
/** Folds a release reads (training and validation). */
export const READ_FOLDS = [1, 2, 3, 4, 5, 6, 7, 8];

/** Where a pretraining release's examples come from. */
export interface DataOptions {
  /**
   * Data folders of any layout (see `examplesFromFolder`): PTB-XL with waveforms (pairs), PTB-XL without
   * (report text), Challenge and plain WFDB folders (ECGs without reports).
   */
  readonly dataDirs: readonly string[];
  /** PTB-XL database CSVs whose real reports are paired with synthetic signals (at most `pairedLimit`). */
  readonly pairedReports: readonly string[];
  readonly pairedLimit: number;
  /** In-memory synthetic examples. */
  readonly synthetic: number;
  /** Folds that validate, each in 1–8. */
  readonly validationFolds: readonly number[];
}

/** The examples of a run. */
export interface TrainingData {
  /** Folder and synthetic examples of the training folds, then the paired reports. */
  readonly train: ExampleSet;
  /** Folder and synthetic examples of the training folds alone (the linear probe's training set). */
  readonly folderTrain: ExampleSet;
  readonly validation: ExampleSet;
  /** ECGs without reports (Challenge and plain WFDB folders): the self-supervised stage's own data. */
  readonly unpaired: ExampleSet;
  /** Normalised report texts of report-only folders and paired CSVs, all rows of the training folds. */
  readonly reportCorpus: readonly string[];
  /** Examples per source, for `release.json`. */
  readonly sources: Record<string, number>;
}

/** Throws unless every fold is one of 1–8. */
export function checkValidationFolds(folds: readonly number[]): void {
  for (const f of folds) {
    if (!Number.isInteger(f) || f < 1 || f > 8) {
      throw new InvalidArgumentError(
        'validation fold',
        f,
        'must be one of 1–8 (folds 9 and 10 are held out and never read)',
      );
    }
  }
}

/** `set`'s examples of the training and of the validation folds (folds 9 and 10 dropped). */
export function splitByFold(set: ExampleSet, validationFolds: readonly number[]) {
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < set.size; i++) {
    const fold = set.folds[i]!;
    if (NEVER_READ.includes(fold)) continue;
    (validationFolds.includes(fold) ? validation : train).push(i);
  }
  return { train: subsetExamples(set, train), validation: subsetExamples(set, validation) };
}

/** Reads and mixes the sources, and splits them into training and validation examples. */
export async function readTrainingData(o: DataOptions, run: RunContext): Promise<TrainingData> {
  const { log, progress, seed } = run;
  const sets: ExampleSet[] = [];
  const sources: Record<string, number> = {};
  const unpairedSets: ExampleSet[] = [];
  const reportCsvs: string[] = [...o.pairedReports];
  for (const dir of o.dataDirs) {
    const found = await examplesFromFolder(dir, {
      folds: READ_FOLDS,
      onProgress: (d, t) => progress(`reading ${dir}`, d, t),
    });
    log(`data: ${dir}: ${found.description}`);
    if (found.kind === 'ptbxl-reports') {
      reportCsvs.push(found.reportsCsv!);
      continue;
    }
    if (found.set.size === 0)
      throw new DatasetError(
        dir,
        found.kind === 'ptbxl'
          ? 'holds no record with a readable 100 Hz signal in folds 1–8'
          : 'holds no readable ECG of at least one 10 s window',
      );
    sources[dir] = found.set.size;
    (found.kind === 'ptbxl' ? sets : unpairedSets).push(found.set);
  }
  if (o.synthetic > 0) {
    sets.push(
      syntheticExamples({
        n: o.synthetic,
        seed,
        onProgress: (d, t) => progress('generating synthetic ECGs', d, t),
      }),
    );
    sources['synthetic'] = o.synthetic;
    log(`data: ${o.synthetic} synthetic ECGs with reports`);
  }
  const { pairedSets, reportCorpus } = await readPairedReports(reportCsvs, o, sources, run);
  const split = splitByFold(concatExamples(sets), o.validationFolds);
  const train = concatExamples([split.train, ...pairedSets]);
  const validation = split.validation;
  if (train.size === 0)
    throw new DatasetError(
      o.dataDirs.join(', ') || 'synthetic',
      'no training examples: give --data or use a preset with synthetic data',
    );
  if (validation.size === 0)
    throw new DatasetError(
      o.dataDirs.join(', ') || 'synthetic',
      `no examples in validation folds ${o.validationFolds.join(', ')}`,
    );
  log(
    `split: ${train.size} training, ${validation.size} validation examples (folds ${o.validationFolds.join(', ')})`,
  );
  const unpaired = concatExamples(unpairedSets);
  return { train, folderTrain: split.train, validation, unpaired, reportCorpus, sources };
}

/**
 * Real reports of the `csvs` (training folds only) paired with synthetic ECGs, at most `o.pairedLimit`
 * per CSV; their counts are added to `sources`.
 */
export async function readPairedReports(
  csvs: readonly string[],
  o: Pick<DataOptions, 'pairedLimit' | 'validationFolds'>,
  sources: Record<string, number>,
  run: RunContext,
): Promise<{ pairedSets: ExampleSet[]; reportCorpus: string[] }> {
  const { log, progress, seed } = run;
  const trainFolds = READ_FOLDS.filter((f) => !o.validationFolds.includes(f));
  const pairedSets: ExampleSet[] = [];
  const reportCorpus: string[] = [];
  for (const csv of csvs) {
    const { set, skipped, reportKeys } = await pairedReportExamples(csv, {
      seed,
      folds: trainFolds,
      ...(o.pairedLimit ? { limit: o.pairedLimit } : {}),
      onProgress: (d, t) => progress('pairing real reports with synthetic ECGs', d, t),
    });
    log(
      `data: ${set.size} real reports from ${csv} paired with synthetic ECGs (${skipped} rows not modelled)`,
    );
    sources[`paired:${csv}`] = set.size;
    pairedSets.push(set);
    reportCorpus.push(...reportKeys);
  }
  return { pairedSets, reportCorpus };
}

/** Training batches and up to 4 fixed validation batches, tokenised to `config.maxTokens`. */
export function pretrainBatches(
  data: TrainingData,
  tokenizer: WordPieceTokenizer,
  config: CgDmerConfig,
  recipe: TrainingRecipe,
  seed: number,
): { batches: BatchSource; validation: PretrainBatch[] } {
  const batchSize = Math.min(recipe.batchSize, data.train.size);
  const batches = createBatchSource(data.train, tokenizer, {
    batchSize,
    maxTokens: config.maxTokens,
    seed,
    spanProbability: recipe.spanProbability,
  });
  return { batches, validation: validationBatches(data.validation, tokenizer, config, batchSize, seed) };
}

/** Up to 4 fixed validation batches of `set` (its order, no shuffling) of at most `batchSize`. */
export function validationBatches(
  set: ExampleSet,
  tokenizer: WordPieceTokenizer,
  config: CgDmerConfig,
  batchSize: number,
  seed: number,
): PretrainBatch[] {
  const source = createBatchSource(set, tokenizer, {
    batchSize: Math.min(batchSize, set.size),
    maxTokens: config.maxTokens,
    seed,
    shuffle: false,
  });
  return Array.from({ length: Math.min(4, source.batchesPerEpoch) }, (_, i) => source.batch(0, i));
}
