/**
 * A pretraining release end to end, in named steps (pipeline/): data (read and mix the sources, split by
 * fold), tokenizer, model (configuration), the self-supervised stage (ST-MM alone on ECGs with and
 * without reports, when the recipe has one), train (CG-DMER with all three losses on pairs, from the
 * self-supervised weights; checkpoints and JSON-lines metrics), evaluate (the validation folds), write (the release directory). Align mode
 * (align-release.ts) reuses the run setup, train and write steps.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@heartline/model/errors';
import type { CgDmerConfig } from '@heartline/model/nn';
import type { EvaluationReport } from './eval/evaluate.js';
import { readCachedTrainingData } from './pipeline/cached-data.js';
import { checkValidationFolds, readTrainingData } from './pipeline/data.js';
import { evaluatePretrained } from './pipeline/evaluate.js';
import { type Ablation, pretrainConfig } from './pipeline/model.js';
import { inMemoryInputs } from './pipeline/release-inputs.js';
import { startRun } from './pipeline/run-context.js';
import { runSelfSupervisedStage } from './pipeline/self-supervised.js';
import { learnTokenizer } from './pipeline/tokenizer.js';
import { epochLength, runTraining } from './pipeline/train.js';
import { writeRelease } from './pipeline/write.js';
import { preprocessOptionsOfModel } from './preprocessing.js';
import { RECIPES, type RecipeName } from './recipes.js';
import { loadCheckpoint } from './release/checkpoint.js';
import type { ReleaseManifest } from './release/release-dir.js';
import type { EpochRecord } from './train-loop.js';

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
  readonly ablate?: Ablation;
  /** Folds that validate (default [8]); folds 9 and 10 are never read. */
  readonly validationFolds?: readonly number[];
  readonly seed?: number;
  /** Continue from the checkpoint in `out` when there is one. */
  readonly resume?: boolean;
  /** Overrides of the recipe's step count and synthetic example count (tests, quick runs). */
  readonly steps?: number;
  readonly synthetic?: number;
  /** Override of the recipe's self-supervised steps (0 = no self-supervised stage). */
  readonly selfSupervisedSteps?: number;
  /**
   * Train from shard caches in this folder instead of memory: the training folds' records of `dataDirs`
   * are preprocessed once into shards (resumed after a kill, reused when they match) and read a few
   * shards at a time, so memory stays bounded however large the archive (see pipeline/cached-data.ts).
   * Default: every example in memory.
   */
  readonly cacheDir?: string;
  /** Data-parallel workers (default: the recipe's). */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly onProgress?: (stage: string, done: number, total: number, detail?: string) => void;
  /** Told after every epoch (the records of `training-log.jsonl`). */
  readonly onEpoch?: (record: EpochRecord) => void;
}

/** Trains a pretraining release; see the file comment. */
export async function trainRelease(
  o: TrainReleaseOptions,
): Promise<{ manifest: ReleaseManifest; evaluation: EvaluationReport }> {
  const recipe = RECIPES[o.preset];
  if (!recipe)
    throw new InvalidArgumentError('preset', o.preset, `must be one of ${Object.keys(RECIPES).join(', ')}`);
  const validationFolds = o.validationFolds ?? [8];
  checkValidationFolds(validationFolds);
  const run = await startRun(o);
  const { log, seed } = run;
  await mkdir(o.out, { recursive: true });

  const dataOptions = {
    dataDirs: o.dataDirs,
    pairedReports: o.pairedReports,
    pairedLimit: recipe.pairedLimit,
    synthetic: o.synthetic ?? recipe.synthetic,
    validationFolds,
  };
  const data = o.cacheDir
    ? await readCachedTrainingData(
        { ...dataOptions, cacheDir: o.cacheDir, ...(o.signal ? { signal: o.signal } : {}) },
        run,
      )
    : inMemoryInputs(await readTrainingData(dataOptions, run));
  const tokenizer = learnTokenizer(data.tokenizerTexts.train, log, data.tokenizerTexts.corpus);
  const config = pretrainConfig(recipe, tokenizer.vocabSize, o.config, o.ablate);

  const { batches, validation } = data.pairBatches(tokenizer, config, recipe, seed);
  const steps = o.steps ?? recipe.steps;
  const stepsPerEpoch = epochLength(batches, steps);
  const workers = o.workers ?? recipe.workers;
  const resumed = o.resume ? await loadCheckpoint(o.out) : undefined;
  if (resumed) log(`resuming from the checkpoint at step ${resumed.state.step}`);
  const selfSupervisedSteps = o.selfSupervisedSteps ?? recipe.selfSupervisedSteps;
  // A resumed run continues the pair stage, which started from the self-supervised stage's weights.
  const selfSupervised =
    selfSupervisedSteps > 0 && o.ablate !== 'ssl' && !resumed
      ? await runSelfSupervisedStage(
          {
            out: o.out,
            config,
            examples: data.selfSupervisedExamples(),
            withoutReports: data.withoutReports,
            validation: data.validation,
            tokenizer,
            batchSize: recipe.batchSize,
            steps: selfSupervisedSteps,
            peakLr: recipe.peakLr,
            patience: recipe.patience,
            workers: o.workers ?? recipe.workers,
            ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
            ...(o.signal ? { signal: o.signal } : {}),
          },
          run,
        )
      : undefined;
  log(
    `training: backend ${run.backend}, ${steps} steps of batch ${batches.batchSize}, ${stepsPerEpoch} steps per epoch, ${workers} worker(s)`,
  );
  const training = await runTraining(
    {
      out: o.out,
      config,
      mode: 'pretrain',
      batches,
      steps,
      stepsPerEpoch,
      peakLr: recipe.peakLr,
      validation,
      patience: recipe.patience,
      workers,
      checkpointContext: { seed, preset: o.preset },
      ...(resumed ? { resume: resumed.state } : {}),
      ...(selfSupervised ? { initialWeights: selfSupervised.weights, appendLog: true } : {}),
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    },
    run,
  );
  const { result } = training;
  log(
    `training: stopped by ${result.stoppedBy} after ${result.state.step} steps in ${training.metrics.seconds.toFixed(0)} s`,
  );

  const evaluation = evaluatePretrained(result.model, tokenizer, data, run);

  const manifest = await writeRelease(o.out, {
    label: `${o.preset}${o.ablate ? `-no-${o.ablate}` : ''}`,
    manifest: {
      mode: 'pretrain',
      preset: o.preset,
      config,
      preprocessing: preprocessOptionsOfModel(config),
      data: {
        sources: data.sources,
        train: data.trainSize,
        ...(selfSupervised
          ? {
              selfSupervised: {
                ecgs: selfSupervised.ecgs,
                withoutReports: data.withoutReports,
                steps: selfSupervised.training.metrics.steps,
              },
            }
          : {}),
        validation: data.validation.size,
        validationFolds,
        seed,
      },
    },
    weights: result.model.getWeights(),
    tokenizer: tokenizer.toJSON(),
    metrics: { validation: evaluation, training: training.metrics },
  });
  result.model.dispose();
  await rm(join(o.out, 'checkpoint'), { recursive: true, force: true });
  return { manifest, evaluation };
}
