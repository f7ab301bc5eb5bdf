/**
 * Align mode: what the cloud runs continuously on device data. Given a parent release and pairs of stored
 * ECG-specific embeddings h_ecg with their reports, it trains the text encoder, the shared encoder and
 * the temperature (`trainableGroups('align')`) while the ECG-specific encoder stays frozen (it never runs:
 * h_ecg is the input), evaluates retrieval on held-out pairs, and writes a release whose ECG encoder
 * weights are the parent's, byte for byte, so devices need no new model. Its steps are pretraining's
 * (pipeline/: run setup, train, write) around its own data (the pairs) and evaluation (retrieval).
 */
import { rm } from 'node:fs/promises';
import { DatasetError } from '@heartline/ecg/errors';
import { InvalidArgumentError } from '@heartline/model/errors';
import type { CgDmerConfig, CgDmerModel } from '@heartline/model/nn';
import {
  type AlignPair,
  createAlignBatchSource,
  packAlignPairs,
  splitAlignPairs,
} from './data/align-pairs.js';
import { type AlignEvaluation, evaluateAlignment } from './eval/align-evaluation.js';
import { loadRelease } from './load-release.js';
import { startRun } from './pipeline/run-context.js';
import { epochLength, runTraining } from './pipeline/train.js';
import { writeRelease } from './pipeline/write.js';
import { RECIPES, type RecipeName } from './recipes.js';
import type { ReleaseManifest } from './release/release-dir.js';
import type { EpochRecord } from './train-loop.js';

/** Fewest pairs align mode accepts: 12 to train on (batches with negatives) and 4 held out. */
export const MIN_ALIGN_PAIRS = 16;

/** Options of {@link alignRelease}. */
export interface AlignReleaseOptions {
  /** Directory the new release is written to. */
  readonly out: string;
  /** The parent release directory: its ECG-specific encoder is frozen and copied unchanged. */
  readonly parent: string;
  /** (h_ecg, report) pairs; h_ecg must come from the parent's ECG encoder (or an identical one). */
  readonly pairs: readonly AlignPair[];
  /** Recipe for batch size, step count and learning rate. Default: the parent's preset, else `demo`. */
  readonly preset?: RecipeName;
  /** Step count override. Default: the recipe's. */
  readonly steps?: number;
  /** Share of the pairs held out for evaluation (at least 4). Default 0.2. */
  readonly heldOutFraction?: number;
  /** Peak learning rate. Default: half the recipe's (the text and shared encoders start trained). */
  readonly peakLr?: number;
  readonly seed?: number;
  /** Where the pairs came from, for `release.json` `data.sources`. Default `{ pairs: n }`. */
  readonly sources?: Readonly<Record<string, number>>;
  /** Stops training; the call then rejects with the signal's reason and writes no release. */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  readonly onProgress?: (stage: string, done: number, total: number, detail?: string) => void;
  /** Told after every epoch (the records of `training-log.jsonl`). */
  readonly onEpoch?: (record: EpochRecord) => void;
}

/** What {@link alignRelease} returns. */
export interface AlignReleaseResult {
  readonly manifest: ReleaseManifest;
  /** The new release on the held-out pairs. */
  readonly evaluation: AlignEvaluation;
  /** The parent on the same held-out pairs, for comparison. */
  readonly parentEvaluation: AlignEvaluation;
}

function recipeOf(o: AlignReleaseOptions, parentPreset: string): RecipeName {
  if (o.preset !== undefined) {
    if (!(o.preset in RECIPES))
      throw new InvalidArgumentError('preset', o.preset, `must be one of ${Object.keys(RECIPES).join(', ')}`);
    return o.preset;
  }
  return parentPreset in RECIPES ? (parentPreset as RecipeName) : 'demo';
}

/** Trains an align-mode release from `o.pairs` on top of `o.parent`; see the file comment. */
export async function alignRelease(o: AlignReleaseOptions): Promise<AlignReleaseResult> {
  const fraction = o.heldOutFraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1))
    throw new InvalidArgumentError('heldOutFraction', fraction, 'must be in (0, 1)');
  if (o.pairs.length < MIN_ALIGN_PAIRS) {
    throw new DatasetError(
      'align pairs',
      `holds ${o.pairs.length} (h_ecg, report) pairs; align mode needs at least ${MIN_ALIGN_PAIRS}`,
    );
  }
  const run = await startRun(o);
  const { log, progress, seed } = run;
  progress('loading the parent release', 0, 1);
  const parent = await loadRelease(o.parent);
  progress('loading the parent release', 1, 1);
  let model: CgDmerModel | undefined;
  try {
    const config = parent.model.config as CgDmerConfig;
    const preset = recipeOf(o, parent.manifest.preset);
    const recipe = RECIPES[preset];
    const set = packAlignPairs(o.pairs, config.ecgDim);
    const split = splitAlignPairs(set, { fraction, minHeldOut: 4, seed });
    log(
      `align: parent ${parent.manifest.id}, ${split.train.size} training and ${split.heldOut.size} held-out pairs`,
    );
    progress('evaluating the parent', 0, 1);
    const parentEvaluation = evaluateAlignment(parent.model, parent.tokenizer, split.heldOut);
    progress('evaluating the parent', 1, 1);
    // The parent's tokenizer: the text encoder's embedding table is sized to its vocabulary.
    const batches = createAlignBatchSource(split.train, parent.tokenizer, {
      batchSize: Math.min(recipe.batchSize, split.train.size),
      maxTokens: config.maxTokens,
      seed,
    });
    const steps = o.steps ?? recipe.steps;
    log(`align: backend ${run.backend}, ${steps} steps of batch ${batches.batchSize}, ECG encoder frozen`);
    // No validation batches: the held-out pairs are the evaluation set, and choosing the best epoch on
    // them would flatter its figures.
    const training = await runTraining(
      {
        out: o.out,
        config,
        mode: 'align',
        batches,
        steps,
        stepsPerEpoch: epochLength(batches, steps),
        peakLr: o.peakLr ?? recipe.peakLr / 2,
        initialWeights: parent.model.getWeights(),
        ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      },
      run,
    );
    model = training.result.model;
    if (o.signal?.aborted) {
      await rm(o.out, { recursive: true, force: true });
      o.signal.throwIfAborted();
    }
    log(`align: ${training.metrics.steps} steps in ${training.metrics.seconds.toFixed(1)} s`);
    progress('evaluating', 0, 1);
    const evaluation = evaluateAlignment(model, parent.tokenizer, split.heldOut);
    progress('evaluating', 1, 1);
    const manifest = await writeRelease(o.out, {
      label: 'align',
      manifest: {
        mode: 'align',
        preset: parent.manifest.preset,
        parent: parent.manifest.id,
        config,
        preprocessing: parent.manifest.preprocessing,
        data: {
          sources: o.sources ?? { pairs: set.size },
          train: split.train.size,
          validation: split.heldOut.size,
          heldOutFraction: fraction,
          recipe: preset,
          seed,
        },
      },
      weights: model.getWeights(),
      tokenizer: parent.tokenizer.toJSON(),
      metrics: {
        validation: evaluation,
        parent: { id: parent.manifest.id, validation: parentEvaluation },
        training: training.metrics,
      },
    });
    return { manifest, evaluation, parentEvaluation };
  } finally {
    model?.dispose();
    parent.model.dispose();
  }
}
