import { availableParallelism } from 'node:os';
import type { CgDmerConfig, ConfigPreset } from '@heartline/model/nn';

/** A training recipe: which model preset, how much data of which kind, how long. */
export interface TrainingRecipe {
  /** Model size preset. */
  readonly model: ConfigPreset;
  /** In-memory synthetic examples added to whatever folders are given. */
  readonly synthetic: number;
  /** Real report rows (from `--paired` CSVs) paired with synthetic signals, at most. */
  readonly pairedLimit: number;
  readonly batchSize: number;
  readonly steps: number;
  /**
   * Steps of the self-supervised stage (ST-MM alone on ECGs with or without reports) before the pair
   * stage; 0 = none. Skipped when there are too few real ECGs.
   */
  readonly selfSupervisedSteps: number;
  /** Peak learning rate of the warm-up + cosine schedule. */
  readonly peakLr: number;
  /** Epochs without validation improvement before stopping. */
  readonly patience: number;
  /** Data-parallel training workers (1 = this thread; 2 uses both cores of a 2-core machine). */
  readonly workers: number;
  /**
   * Probability that a training report is replaced, for one batch, by a random span of 1–6 of its words
   * (see `reportSpan`), so the text encoder also learns the short statements zero-shot prompts are.
   */
  readonly spanProbability: number;
  /** Model-config overrides of this recipe (loss weights…). */
  readonly overrides?: Partial<CgDmerConfig>;
}

/**
 * The named recipes of `heartline train --preset`. `tiny` is for tests; `demo` trains a useful release on
 * synthetic data alone in about 3 minutes on an idle 2-core CPU (220 steps of batch 32, 2 workers);
 * `real` is the recipe for a real PTB-XL-layout folder, mixed with synthetic ECGs and real reports paired
 * with synthetic signals (600 steps, under 15 minutes end to end).
 *
 * `demo` trains half of its reports as short word spans (`spanProbability` 0.5): on held-out synthetic
 * data that raised zero-shot macro AUROC from 0.78 / 0.72 to 0.87 / 0.87 (seeds 1 / 2) and lowered
 * report→ECG R@10 from 0.56 / 0.65 to 0.50 / 0.59; without the disentanglement loss (`lambdaDis` 0,
 * `demo`'s override) R@10 came back to 0.66 / 0.63 at the same zero-shot AUROC (0.88 / 0.86), so these
 * short runs leave it off (`--config '{"lambdaDis": 0.1}'` puts it back). Figures: bench/RESULTS.md,
 * model-demo. `real` does the same since both were measured on PTB-XL (fold 8, the one variant tried):
 * zero-shot superclass macro AUROC 0.57 → 0.80, linear probe 0.81 → 0.82, report→ECG R@10 0.64 → 0.68
 * (bench/RESULTS.md, model-real).
 *
 * `real` starts with 300 self-supervised steps (ST-MM alone on every real ECG, with or without a report).
 * Measured on all the shared real data (trained on folds 1–6, stopped on 7, scored on the 105 fold-8 ECGs of
 * ptbxl-500 + ptbxl-extra): zero-shot macro AUROC 0.771 with the stage vs 0.755 without, linear probe 0.824
 * vs 0.840, report→ECG R@10 0.429 vs 0.543 — a trade (zero-shot up, mostly on CD and HYP; retrieval down),
 * every difference inside the 95 % intervals. `--ssl-steps 0` or `--ablate ssl` leaves it out.
 */
const cores = Math.min(2, availableParallelism());

export const RECIPES = {
  tiny: {
    model: 'tiny',
    synthetic: 96,
    pairedLimit: 0,
    batchSize: 16,
    steps: 12,
    selfSupervisedSteps: 4,
    peakLr: 2e-3,
    patience: 100,
    workers: 1,
    spanProbability: 0,
  },
  demo: {
    model: 'demo',
    synthetic: 1600,
    pairedLimit: 0,
    batchSize: 32,
    steps: 220,
    selfSupervisedSteps: 0,
    peakLr: 2e-3,
    patience: 100,
    workers: cores,
    spanProbability: 0.5,
    overrides: { lambdaDis: 0 },
  },
  real: {
    model: 'demo',
    synthetic: 1200,
    pairedLimit: 1500,
    batchSize: 32,
    steps: 600,
    selfSupervisedSteps: 300,
    peakLr: 1.5e-3,
    patience: 4,
    workers: cores,
    spanProbability: 0.5,
    overrides: { lambdaDis: 0 },
  },
} as const satisfies Record<string, TrainingRecipe>;

/** A recipe name. */
export type RecipeName = keyof typeof RECIPES;
