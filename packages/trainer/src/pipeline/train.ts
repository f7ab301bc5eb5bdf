/**
 * The training step of a release, pretraining or align: runs the loop over a batch source with about
 * ten epochs, appends every epoch's record to `training-log.jsonl`, and reports progress.
 */
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgDmerConfig, TrainBatch, TrainMode, WeightValue } from '@heartline/model/nn';
import type { BackendName } from '../backend.js';
import { saveCheckpoint } from '../release/checkpoint.js';
import { RELEASE_FILES } from '../release/release-dir.js';
import { type EpochRecord, type TrainResult, type TrainState, train } from '../train-loop.js';
import type { RunContext } from './run-context.js';

/** Batches served by (epoch, index), as both batch sources do. */
export interface EpochBatches {
  readonly batchesPerEpoch: number;
  batch(epoch: number, index: number): TrainBatch;
}

/** Steps per epoch: a tenth of the run (at least 1), and no more than one pass over the data. */
export function epochLength(batches: EpochBatches, steps: number): number {
  return Math.min(batches.batchesPerEpoch, Math.max(1, Math.round(steps / 10)));
}

/** Options of {@link runTraining}. */
export interface TrainingOptions {
  /** The release directory: `training-log.jsonl` (and checkpoints) go there. */
  readonly out: string;
  readonly config: CgDmerConfig;
  readonly mode: TrainMode;
  readonly batches: EpochBatches;
  readonly steps: number;
  /** From {@link epochLength}. */
  readonly stepsPerEpoch: number;
  readonly peakLr: number;
  /** Fixed validation batches (early stopping restores the best epoch's weights). Default none. */
  readonly validation?: readonly TrainBatch[];
  readonly patience?: number;
  /** Data-parallel workers (pretraining). Default 1. */
  readonly workers?: number;
  /** Start from these weights (align mode: the parent's). */
  readonly initialWeights?: Record<string, WeightValue>;
  /** Save a checkpoint in `out` after every epoch, with this context. Default: no checkpoints. */
  readonly checkpointContext?: unknown;
  /** Continue from this checkpointed state; the training log is then appended to, not restarted. */
  readonly resume?: TrainState;
  readonly onEpoch?: (record: EpochRecord) => void;
  readonly signal?: AbortSignal;
  /** Tags every record of `training-log.jsonl` with this stage name (the self-supervised stage). */
  readonly stage?: string;
  /** Append to the training log an earlier stage of this run wrote, instead of starting it afresh. */
  readonly appendLog?: boolean;
}

/** What the training step gives the later steps. */
export interface TrainingRun {
  readonly result: TrainResult;
  /** `metrics.json`'s `training` entry. */
  readonly metrics: {
    readonly backend: BackendName;
    readonly steps: number;
    readonly stoppedBy: TrainResult['stoppedBy'];
    readonly seconds: number;
    readonly history: readonly EpochRecord[];
  };
}

/** Trains; see the file comment. The caller owns (and disposes) `result.model`. */
export async function runTraining(o: TrainingOptions, run: RunContext): Promise<TrainingRun> {
  await mkdir(o.out, { recursive: true });
  const logPath = join(o.out, RELEASE_FILES.trainingLog);
  if (!o.resume && !o.appendLog) await rm(logPath, { force: true });
  const history: EpochRecord[] = [];
  const started = performance.now();
  const result = await train({
    config: o.config,
    seed: run.seed,
    mode: o.mode,
    nextBatch: (step) =>
      o.batches.batch(Math.floor(step / o.batches.batchesPerEpoch), step % o.batches.batchesPerEpoch),
    steps: o.steps,
    stepsPerEpoch: o.stepsPerEpoch,
    lr: { peak: o.peakLr },
    ...(o.validation ? { validation: o.validation } : {}),
    ...(o.patience !== undefined ? { patience: o.patience } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.initialWeights ? { initialWeights: o.initialWeights } : {}),
    ...(o.checkpointContext !== undefined
      ? {
          checkpointEvery: o.stepsPerEpoch,
          saveCheckpoint: (state: TrainState) => saveCheckpoint(o.out, state, o.checkpointContext),
        }
      : {}),
    ...(o.resume ? { resume: o.resume } : {}),
    onMetrics: (record) => {
      history.push(record);
      void appendFile(logPath, `${JSON.stringify(o.stage ? { ...record, stage: o.stage } : record)}\n`);
      o.onEpoch?.(record);
    },
    onProgress: (step, total, loss) =>
      run.progress(o.stage ? `training (${o.stage})` : 'training', step, total, `loss ${loss.toFixed(3)}`),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    result,
    metrics: {
      backend: run.backend,
      steps: result.state.step,
      stoppedBy: result.stoppedBy,
      seconds,
      history,
    },
  };
}
