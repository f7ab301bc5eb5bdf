/**
 * The self-supervised stage of a pretraining release: ST-MM alone (masked reconstruction of every usable
 * lead and time span in turn) on ECGs without reports — the archive's unreported ECGs plus the training
 * folds' real ECGs — before the contrastive–generative stage on pairs starts from its weights.
 */
import type { CgDmerConfig, WeightValue } from '@heartline/model/nn';
import type { WordPieceTokenizer } from '@heartline/model/text';
import type { ExampleReader } from '../data/example-reader.js';
import { concatExamples, type ExampleSet, filterExamples } from '../data/example-set.js';
import { createMaskedModellingBatches } from '../data/masked-modelling-batches.js';
import type { EpochRecord } from '../train-loop.js';
import type { TrainingData } from './data.js';
import type { RunContext } from './run-context.js';
import { epochLength, runTraining, type TrainingRun } from './train.js';

/** The stage's name in `training-log.jsonl` and the progress output. */
export const SELF_SUPERVISED_STAGE = 'self-supervised';

/** The ECGs the stage learns from: unpaired ECGs and the real (not synthetic) ECGs of the training folds. */
export function selfSupervisedExamples(data: TrainingData): ExampleSet {
  const real = filterExamples(data.folderTrain, (i) => data.folderTrain.sources[i] !== 'synthetic');
  return concatExamples([data.unpaired, real]);
}

/** The model configuration of the stage: ST-MM alone (InfoNCE and disentanglement weighted 0). */
export function selfSupervisedConfig(config: CgDmerConfig): CgDmerConfig {
  return {
    ...config,
    lambdaClip: 0,
    lambdaDis: 0,
    lambdaStmm: config.lambdaStmm > 0 ? config.lambdaStmm : 1,
  };
}

/** Options of {@link runSelfSupervisedStage}. */
export interface SelfSupervisedOptions {
  readonly out: string;
  readonly config: CgDmerConfig;
  /** The stage's ECGs (in memory: {@link selfSupervisedExamples}; or a shard cache's reader). */
  readonly examples: ExampleReader;
  /** How many of `examples` have no report (logged). */
  readonly withoutReports: number;
  /** The validation folds' examples (the real ones validate the stage). */
  readonly validation: ExampleSet;
  readonly tokenizer: WordPieceTokenizer;
  readonly batchSize: number;
  readonly steps: number;
  readonly peakLr: number;
  readonly patience: number;
  readonly workers: number;
  readonly onEpoch?: (record: EpochRecord) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs the stage (validated by the ST-MM loss of the validation folds' ECGs, early-stopped), or returns
 * undefined, logged, when there are fewer ECGs than two batches. The weights seed the pair stage.
 */
export async function runSelfSupervisedStage(
  o: SelfSupervisedOptions,
  run: RunContext,
): Promise<{ weights: Record<string, WeightValue>; training: TrainingRun; ecgs: number } | undefined> {
  const { examples } = o;
  const batchSize = Math.min(o.batchSize, Math.floor(examples.size / 2));
  if (batchSize < 2) {
    run.log(`${SELF_SUPERVISED_STAGE}: skipped, ${examples.size} ECGs (needs at least 4)`);
    return undefined;
  }
  const config = selfSupervisedConfig(o.config);
  const batches = createMaskedModellingBatches(examples, o.tokenizer, config, { batchSize, seed: run.seed });
  const validationSet = filterExamples(o.validation, (i) => o.validation.sources[i] !== 'synthetic');
  const validationSource =
    validationSet.size >= 2
      ? createMaskedModellingBatches(validationSet, o.tokenizer, config, {
          batchSize: Math.min(batchSize, validationSet.size),
          seed: run.seed,
          shuffle: false,
        })
      : undefined;
  const validation = validationSource
    ? Array.from({ length: Math.min(4, validationSource.batchesPerEpoch) }, (_, i) =>
        validationSource.batch(0, i),
      )
    : undefined;
  const stepsPerEpoch = epochLength(batches, o.steps);
  run.log(
    `${SELF_SUPERVISED_STAGE}: ST-MM alone on ${examples.size} ECGs (${o.withoutReports} without reports), ` +
      `${o.steps} steps of batch ${batchSize}, every lead and time span masked in turn`,
  );
  const training = await runTraining(
    {
      out: o.out,
      config,
      mode: 'pretrain',
      batches,
      steps: o.steps,
      stepsPerEpoch,
      peakLr: o.peakLr,
      ...(validation ? { validation, patience: o.patience } : {}),
      workers: o.workers,
      stage: SELF_SUPERVISED_STAGE,
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    },
    run,
  );
  const { result } = training;
  run.log(
    `${SELF_SUPERVISED_STAGE}: stopped by ${result.stoppedBy} after ${result.state.step} steps in ${training.metrics.seconds.toFixed(0)} s`,
  );
  const weights = result.model.getWeights();
  result.model.dispose();
  return { weights, training, ecgs: examples.size };
}
