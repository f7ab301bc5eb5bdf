import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, InvalidArgumentError } from '@heartline/model/errors';
import { type CgDmerConfig, resolveConfig } from '@heartline/model/nn';
import { CLASS_PROMPTS, CLASS_SETS, trainWordPiece } from '@heartline/model/text';
import { selectBackend } from './backend.js';
import { createBatchSource } from './data/batches.js';
import { concatExamples, type ExampleSet, filterExamples, subsetExamples } from './data/example-set.js';
import { pairedReportExamples } from './data/from-paired-reports.js';
import { examplesFromPtbxlFolder } from './data/from-ptbxl-folder.js';
import { syntheticExamples } from './data/from-synthetic.js';
import { type EvaluationReport, evaluate } from './eval/evaluate.js';
import { tfEncoders } from './eval/tf-encoders.js';
import { preprocessOptionsOfModel } from './preprocessing.js';
import { RECIPES, type RecipeName } from './recipes.js';
import { loadCheckpoint, saveCheckpoint } from './release/checkpoint.js';
import { RELEASE_FILES, type ReleaseManifest, writeReleaseDir } from './release/release-dir.js';
import { type EpochRecord, train } from './train-loop.js';

/** Options of {@link trainRelease} (what `heartline train` passes). */
export interface TrainReleaseOptions {
  readonly out: string;
  readonly preset: RecipeName;
  /** PTB-XL-layout folders (real, partial or synthetic) read from their 100 Hz records. */
  readonly dataDirs: readonly string[];
  /** PTB-XL database CSVs whose real reports are paired with synthetic signals. */
  readonly pairedReports: readonly string[];
  /** Model-config overrides (from `--config FILE`). */
  readonly config?: Partial<CgDmerConfig>;
  /** Switch one loss off to measure its effect. */
  readonly ablate?: 'stmm' | 'disentangle';
  /** Folds that validate (default [8]); folds 9 and 10 are never read. */
  readonly validationFolds?: readonly number[];
  readonly seed?: number;
  /** Continue from the checkpoint in `out` when there is one. */
  readonly resume?: boolean;
  /** Overrides of the recipe's step count and synthetic example count (tests, quick runs). */
  readonly steps?: number;
  readonly synthetic?: number;
  /** Data-parallel workers (default: the recipe's). */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly onProgress?: (stage: string, done: number, total: number, detail?: string) => void;
  /** Told after every epoch (the records of `training-log.jsonl`). */
  readonly onEpoch?: (record: EpochRecord) => void;
}

const NEVER_READ = [9, 10];

function splitByFold(set: ExampleSet, validationFolds: readonly number[]) {
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < set.size; i++) {
    const fold = set.folds[i]!;
    if (NEVER_READ.includes(fold)) continue;
    (validationFolds.includes(fold) ? validation : train).push(i);
  }
  return { train: subsetExamples(set, train), validation: subsetExamples(set, validation) };
}

/** The classes a release is evaluated on: PTB-XL's superclasses with real data, the generator's codes without. */
function evaluationClasses(validation: ExampleSet): readonly string[] {
  const real = validation.sources.some((s) => s !== 'synthetic');
  const set = real ? CLASS_SETS.superclass : CLASS_SETS.synthetic.filter((c) => c !== 'SR');
  return set.filter((c) => validation.labels.some((l) => l.includes(c)));
}

/**
 * Trains a release end to end: reads and mixes the data sources, learns the tokenizer, pretrains
 * CG-DMER (all three losses) with checkpoints and JSON-lines metrics, evaluates it on the validation
 * folds, and writes the release directory.
 */
export async function trainRelease(
  o: TrainReleaseOptions,
): Promise<{ manifest: ReleaseManifest; evaluation: EvaluationReport }> {
  const recipe = RECIPES[o.preset];
  if (!recipe)
    throw new InvalidArgumentError('preset', o.preset, `must be one of ${Object.keys(RECIPES).join(', ')}`);
  const log = o.log ?? (() => {});
  const progress = o.onProgress ?? (() => {});
  const seed = o.seed ?? 1;
  const validationFolds = o.validationFolds ?? [8];
  for (const f of validationFolds) {
    if (!Number.isInteger(f) || f < 1 || f > 8) {
      throw new InvalidArgumentError(
        'validation fold',
        f,
        'must be one of 1–8 (folds 9 and 10 are held out and never read)',
      );
    }
  }
  const backend = await selectBackend(undefined, { log });
  await mkdir(o.out, { recursive: true });

  // 1. Data.
  const sets: ExampleSet[] = [];
  const sources: Record<string, number> = {};
  const readFolds = [1, 2, 3, 4, 5, 6, 7, 8];
  for (const dir of o.dataDirs) {
    const { set, skipped } = await examplesFromPtbxlFolder(dir, {
      folds: readFolds,
      onProgress: (d, t) => progress(`reading ${dir}`, d, t),
    });
    if (set.size === 0)
      throw new DatasetError(dir, 'holds no record with a readable 100 Hz signal in folds 1–8');
    log(`data: ${set.size} records from ${dir}${skipped ? ` (${skipped} without waveforms skipped)` : ''}`);
    sources[dir] = set.size;
    sets.push(set);
  }
  const syntheticCount = o.synthetic ?? recipe.synthetic;
  if (syntheticCount > 0) {
    sets.push(
      syntheticExamples({
        n: syntheticCount,
        seed,
        onProgress: (d, t) => progress('generating synthetic ECGs', d, t),
      }),
    );
    sources['synthetic'] = syntheticCount;
    log(`data: ${syntheticCount} synthetic ECGs with reports`);
  }
  const trainFolds = readFolds.filter((f) => !validationFolds.includes(f));
  const pairedSets: ExampleSet[] = [];
  for (const csv of o.pairedReports) {
    const { set, skipped } = await pairedReportExamples(csv, {
      seed,
      folds: trainFolds,
      ...(recipe.pairedLimit ? { limit: recipe.pairedLimit } : {}),
      onProgress: (d, t) => progress('pairing real reports with synthetic ECGs', d, t),
    });
    log(
      `data: ${set.size} real reports from ${csv} paired with synthetic ECGs (${skipped} rows not modelled)`,
    );
    sources[`paired:${csv}`] = set.size;
    pairedSets.push(set);
  }
  const all = concatExamples(sets);
  const split = splitByFold(all, validationFolds);
  const trainSet = concatExamples([split.train, ...pairedSets]);
  const validation = split.validation;
  if (trainSet.size === 0)
    throw new DatasetError(
      o.dataDirs.join(', ') || 'synthetic',
      'no training examples: give --data or use a preset with synthetic data',
    );
  if (validation.size === 0)
    throw new DatasetError(
      o.dataDirs.join(', ') || 'synthetic',
      `no examples in validation folds ${validationFolds.join(', ')}`,
    );
  log(
    `split: ${trainSet.size} training, ${validation.size} validation examples (folds ${validationFolds.join(', ')})`,
  );

  // 2. Tokenizer: learned from the training reports plus the class prompts, so prompts never hit [UNK].
  const promptTexts = Object.values(CLASS_PROMPTS).flatMap((p) => [...p.en, ...p.de]);
  const tokenizer = trainWordPiece([...trainSet.reportKeys, ...promptTexts], { vocabSize: 2000 });
  log(`tokenizer: ${tokenizer.vocabSize} word pieces`);

  // 3. Model and training.
  const overrides: Partial<CgDmerConfig> = {
    ...(recipe as { overrides?: Partial<CgDmerConfig> }).overrides,
    ...o.config,
    vocabSize: tokenizer.vocabSize,
    ...(o.ablate === 'stmm' ? { lambdaStmm: 0 } : {}),
    ...(o.ablate === 'disentangle' ? { lambdaDis: 0 } : {}),
  };
  const config = resolveConfig(overrides, recipe.model);
  const batchSize = Math.min(recipe.batchSize, trainSet.size);
  const batches = createBatchSource(trainSet, tokenizer, {
    batchSize,
    maxTokens: config.maxTokens,
    seed,
    spanProbability: recipe.spanProbability,
  });
  const validationBatches = (() => {
    const source = createBatchSource(validation, tokenizer, {
      batchSize: Math.min(batchSize, validation.size),
      maxTokens: config.maxTokens,
      seed,
      shuffle: false,
    });
    return Array.from({ length: Math.min(4, source.batchesPerEpoch) }, (_, i) => source.batch(0, i));
  })();
  const steps = o.steps ?? recipe.steps;
  const stepsPerEpoch = Math.min(batches.batchesPerEpoch, Math.max(1, Math.round(steps / 10)));
  const logPath = join(o.out, RELEASE_FILES.trainingLog);
  const resumed = o.resume ? await loadCheckpoint(o.out) : undefined;
  if (!resumed) await rm(logPath, { force: true });
  else log(`resuming from the checkpoint at step ${resumed.state.step}`);
  log(
    `training: backend ${backend}, ${steps} steps of batch ${batchSize}, ${stepsPerEpoch} steps per epoch, ${o.workers ?? recipe.workers} worker(s)`,
  );
  const history: EpochRecord[] = [];
  const started = performance.now();
  const result = await train({
    config,
    seed,
    mode: 'pretrain',
    nextBatch: (step) =>
      batches.batch(Math.floor(step / batches.batchesPerEpoch), step % batches.batchesPerEpoch),
    validation: validationBatches,
    steps,
    stepsPerEpoch,
    lr: { peak: recipe.peakLr },
    patience: recipe.patience,
    workers: o.workers ?? recipe.workers,
    checkpointEvery: stepsPerEpoch,
    saveCheckpoint: (state) => saveCheckpoint(o.out, state, { seed, preset: o.preset }),
    ...(resumed ? { resume: resumed.state } : {}),
    onMetrics: (record) => {
      history.push(record);
      void appendFile(logPath, `${JSON.stringify(record)}\n`);
      o.onEpoch?.(record);
    },
    onProgress: (step, total, loss) => progress('training', step, total, `loss ${loss.toFixed(3)}`),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  log(
    `training: stopped by ${result.stoppedBy} after ${result.state.step} steps in ${trainSeconds.toFixed(0)} s`,
  );

  // 4. Evaluation on the validation folds.
  // With real data, the release is judged on the real validation records only (synthetic examples
  // help training but would flatter the figures); without, on the synthetic ones.
  const realOnly = (set: ExampleSet) => filterExamples(set, (i) => set.sources[i] !== 'synthetic');
  const hasReal = validation.sources.some((s) => s !== 'synthetic');
  const evalSet = hasReal ? realOnly(validation) : validation;
  const probeTrain = hasReal ? realOnly(split.train) : split.train;
  const classes = evaluationClasses(evalSet);
  const evaluation = evaluate(tfEncoders(result.model, tokenizer), evalSet, {
    classes,
    prompts: CLASS_PROMPTS,
    probeTrain,
    seed,
    onProgress: (stage) => log(`evaluating: ${stage}`),
  });

  // 5. The release.
  const created = new Date();
  const id = `r${created.toISOString().replace(/[-:]/g, '').slice(0, 13)}-${o.preset}${o.ablate ? `-no-${o.ablate}` : ''}-${Math.random().toString(16).slice(2, 6)}`;
  const manifest = await writeReleaseDir(o.out, {
    manifest: {
      format: 'heartline-release',
      formatVersion: 1,
      id,
      created: created.toISOString(),
      mode: 'pretrain',
      preset: o.preset,
      config,
      preprocessing: preprocessOptionsOfModel(config),
      data: { sources, train: trainSet.size, validation: validation.size, validationFolds, seed },
    },
    weights: result.model.getWeights(),
    tokenizer: tokenizer.toJSON(),
    metrics: {
      validation: evaluation,
      training: {
        backend,
        steps: result.state.step,
        stoppedBy: result.stoppedBy,
        seconds: trainSeconds,
        history,
      },
    },
  });
  result.model.dispose();
  await rm(join(o.out, 'checkpoint'), { recursive: true, force: true });
  return { manifest, evaluation };
}
