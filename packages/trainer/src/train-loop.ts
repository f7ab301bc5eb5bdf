/**
 * The training loop: seeded model, Adam with warm-up + cosine learning rate, per-epoch validation with
 * early stopping (the best weights are restored at the end), checkpoints through an injected callback,
 * exact resume, progress and metrics callbacks, and cancellation. Tensor-neutral per step.
 * Randomness: batches come from `nextBatch(step)` and the ST-MM mask of step s is seeded `${seed}:${s}`,
 * so the step counter is the whole RNG position a checkpoint needs.
 */
import {
  type CgDmerConfig,
  CgDmerModel,
  type TrainBatch,
  type TrainMode,
  trainableGroups,
  type WeightValue,
} from '@heartline/model/nn';
import { Adam, type AdamOptions, type AdamState } from './loop/adam.js';
import { type LrSchedule, learningRate } from './loop/schedule.js';
import { evaluateLosses, type LossValues, trainStep } from './loop/step.js';
import { DataParallelPool } from './parallel/pool.js';

/** Everything needed to continue a run exactly where it stopped. */
export interface TrainState {
  /** Steps completed (also the RNG position: see the file comment). */
  readonly step: number;
  readonly weights: Record<string, WeightValue>;
  readonly optimizer: AdamState;
  /** Best validation loss so far and the weights that reached it (undefined before the first validation). */
  readonly best?: {
    readonly loss: number;
    readonly epoch: number;
    readonly weights: Record<string, WeightValue>;
  };
  /** Epochs since the last improvement. */
  readonly staleEpochs: number;
}

/** One line of the metrics log, written after every epoch. */
export interface EpochRecord {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  /** Mean training losses over the epoch's steps. */
  readonly train: LossValues;
  /** Mean validation losses (absent without a validation source). */
  readonly validation?: LossValues;
  readonly seconds: number;
}

/** Options of `train`. */
export interface TrainOptions {
  readonly config: CgDmerConfig;
  /** Seed of the initial weights and the masks. */
  readonly seed: number | string;
  readonly mode: TrainMode;
  /** The batch of step `step` (0-based); must be deterministic in `step` for exact resume. */
  readonly nextBatch: (step: number) => TrainBatch | Promise<TrainBatch>;
  /** Validation batches, evaluated after every epoch (fixed masks). */
  readonly validation?: readonly TrainBatch[];
  /** Total optimisation steps. */
  readonly steps: number;
  /** Steps per epoch (validation, metrics, early stopping). Default `steps`. */
  readonly stepsPerEpoch?: number;
  readonly lr?: LrSchedule;
  readonly adam?: AdamOptions;
  /** Global gradient-norm clip. Default 1. */
  readonly clipNorm?: number;
  /** Epochs without validation improvement before stopping. Default: never stop early. */
  readonly patience?: number;
  /** Start from these weights (e.g. a pretrained release for align mode); ignored when resuming. */
  readonly initialWeights?: Record<string, WeightValue>;
  /** Call `saveCheckpoint` every this many steps. Default: never. */
  readonly checkpointEvery?: number;
  readonly saveCheckpoint?: (state: TrainState) => void | Promise<void>;
  /** Continue from a saved state. */
  readonly resume?: TrainState;
  readonly onMetrics?: (record: EpochRecord) => void;
  readonly onProgress?: (step: number, total: number, loss: number, etaSeconds: number) => void;
  readonly signal?: AbortSignal;
  /**
   * Pretraining only: split each batch over this many worker threads (each a one-thread wasm backend
   * with a model replica; the batch-coupled losses still see the whole batch). Default 1: this thread.
   */
  readonly workers?: number;
}

/** What `train` returns; the caller owns (and disposes) the model. */
export interface TrainResult {
  readonly model: CgDmerModel;
  readonly stoppedBy: 'steps' | 'early-stop' | 'aborted';
  readonly state: TrainState;
  readonly history: readonly EpochRecord[];
  /** Training losses of every step of this call, in order. */
  readonly stepLosses: readonly LossValues[];
}

function meanLosses(list: readonly LossValues[]): LossValues {
  const n = Math.max(1, list.length);
  const sum = (k: keyof LossValues) => list.reduce((a, l) => a + l[k], 0) / n;
  return { total: sum('total'), clip: sum('clip'), stmm: sum('stmm'), dis: sum('dis') };
}

/** Trains a CG-DMER model; see `TrainOptions`. */
export async function train(o: TrainOptions): Promise<TrainResult> {
  if (!Number.isInteger(o.steps) || o.steps < 1)
    throw new RangeError(`train: steps = ${o.steps} must be a positive integer`);
  const perEpoch = o.stepsPerEpoch ?? o.steps;
  if (!Number.isInteger(perEpoch) || perEpoch < 1)
    throw new RangeError(`train: stepsPerEpoch = ${perEpoch} must be a positive integer`);
  const model = CgDmerModel.create(o.config, o.seed);
  const named = model.namedVariables(trainableGroups(o.mode));
  const variables = named.map(([, v]) => v);
  const optimizer = new Adam(named, o.adam);
  let step = 0;
  let best = o.resume?.best;
  let stale = o.resume?.staleEpochs ?? 0;
  if (o.resume) {
    model.setWeights(o.resume.weights);
    optimizer.setState(o.resume.optimizer);
    step = o.resume.step;
  } else if (o.initialWeights) model.setWeights(o.initialWeights, false);

  const snapshot = (): TrainState => ({
    step,
    weights: model.getWeights(),
    optimizer: optimizer.getState(),
    ...(best ? { best } : {}),
    staleEpochs: stale,
  });
  const history: EpochRecord[] = [];
  const stepLosses: LossValues[] = [];
  let epochLosses: LossValues[] = [];
  let epochStart = performance.now();
  const runStart = performance.now();
  const firstStep = step;
  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`train: workers = ${workers} must be a positive integer`);
  let pool: DataParallelPool | undefined;
  try {
    if (workers > 1 && o.mode === 'pretrain') pool = await DataParallelPool.create(model.config, workers);
    while (step < o.steps) {
      if (o.signal?.aborted) {
        stoppedBy = 'aborted';
        break;
      }
      const batch = await o.nextBatch(step);
      const lr = learningRate(o.lr ?? {}, step, o.steps);
      const maskSeed = `${o.seed}:${step}`;
      const losses = pool
        ? await pool.step(model, optimizer, batch, maskSeed, lr, o.clipNorm ?? 1)
        : trainStep(model, optimizer, variables, batch, o.mode, maskSeed, lr, o.clipNorm ?? 1);
      step += 1;
      stepLosses.push(losses);
      epochLosses.push(losses);
      const elapsed = (performance.now() - runStart) / 1000;
      o.onProgress?.(step, o.steps, losses.total, (elapsed / (step - firstStep)) * (o.steps - step));
      let stop = false;
      if (step % perEpoch === 0 || step === o.steps) {
        const epoch = Math.ceil(step / perEpoch);
        const validation = o.validation?.length
          ? meanLosses(o.validation.map((b, i) => evaluateLosses(model, b, o.mode, `validation:${i}`)))
          : undefined;
        if (validation) {
          if (!best || validation.total < best.loss) {
            best = { loss: validation.total, epoch, weights: model.getWeights() };
            stale = 0;
          } else stale += 1;
          stop = o.patience !== undefined && stale >= o.patience;
        }
        const record: EpochRecord = {
          epoch,
          step,
          lr,
          train: meanLosses(epochLosses),
          ...(validation ? { validation } : {}),
          seconds: (performance.now() - epochStart) / 1000,
        };
        history.push(record);
        o.onMetrics?.(record);
        epochLosses = [];
        epochStart = performance.now();
      }
      if (o.saveCheckpoint && o.checkpointEvery && step % o.checkpointEvery === 0)
        await o.saveCheckpoint(snapshot());
      if (stop) {
        stoppedBy = 'early-stop';
        break;
      }
      // Let timers and abort signals run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const state = snapshot();
    if (best && stoppedBy !== 'aborted') model.setWeights(best.weights);
    return { model, stoppedBy, state, history, stepLosses };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    await pool?.close();
    optimizer.dispose();
  }
}
