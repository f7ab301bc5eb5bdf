/**
 * The supervised baseline as an evaluation figure: trained by {@link trainSupervisedBaseline} on the
 * records a linear probe is trained on, scored on the evaluated records with the same bootstrap intervals
 * as the probe, so the two can be read side by side ("does pretraining + a probe beat training the same
 * encoder on the labels?").
 */

import {
  type BootstrapInterval,
  type BootstrapOptions,
  denseMatrix,
  macroAurocIntervals,
} from '@heartline/model/metrics';
import { type ExampleSet, filterExamples } from '../data/example-set.js';
import { labelMatrix } from '../eval/zero-shot.js';
import { type SupervisedBaselineOptions, trainSupervisedBaseline } from './supervised-baseline.js';

/** Options of {@link supervisedBaselineReport}: the training options, the evaluated set, the intervals. */
export interface SupervisedReportOptions extends SupervisedBaselineOptions {
  /** The evaluated records (never used for training or early stopping unless passed as `validation`). */
  readonly test: ExampleSet;
  /** Intervals as `evaluate`'s (default 1,000 draws, level 0.95, seed 0); pass the same to pair them. */
  readonly bootstrap?: BootstrapOptions;
}

/** What the baseline scored, with how it was trained. */
export interface SupervisedBaselineReport {
  /** Macro AUROC of its own sigmoid outputs on the evaluated records. */
  readonly macroAuroc: number;
  readonly macroAurocCi: BootstrapInterval;
  readonly perClass: Readonly<
    Record<string, { readonly auroc: number; readonly aurocCi: BootstrapInterval }>
  >;
  readonly trainExamples: number;
  /** Records early stopping was judged on (0: the run went its full length). */
  readonly validationExamples: number;
  readonly steps: number;
  readonly stoppedBy: 'steps' | 'early-stop' | 'aborted';
  readonly bestEpoch: number;
  readonly seconds: number;
}

/**
 * Splits a training set for early stopping: its highest PTB-XL fold becomes the validation set, the other
 * folds are fitted (folds are patient-disjoint, so no patient is on both sides). A set from one fold only
 * (or without folds) is returned whole with no validation, and the run goes its full length.
 */
export function holdOutLastFold(train: ExampleSet): { fit: ExampleSet; validation?: ExampleSet } {
  const folds = [...new Set(train.folds)].filter((f) => f > 0).sort((a, b) => a - b);
  if (folds.length < 2) return { fit: train };
  const last = folds[folds.length - 1]!;
  return {
    fit: filterExamples(train, (i) => train.folds[i] !== last),
    validation: filterExamples(train, (i) => train.folds[i] === last),
  };
}

/**
 * Trains the supervised baseline (same encoder config and seeded initialisation as the release; see
 * {@link SupervisedBaselineOptions}), scores it on `test` with bootstrap intervals over the test records
 * (the classifier fixed), and disposes the classifier. Synchronous and CPU-bound: about a minute for the
 * real preset on 2 cores.
 */
export function supervisedBaselineReport(o: SupervisedReportOptions): SupervisedBaselineReport {
  const result = trainSupervisedBaseline(o);
  let scores: Float32Array;
  try {
    scores = result.classifier.scores(o.test);
  } finally {
    result.classifier.dispose();
  }
  const intervals = macroAurocIntervals(
    denseMatrix(scores, o.test.size, o.classes.length),
    labelMatrix(o.test.labels, o.classes),
    o.classes,
    o.bootstrap,
  );
  const perClass: Record<string, { auroc: number; aurocCi: BootstrapInterval }> = {};
  for (const c of o.classes) {
    const ci = intervals.perClass[c]!;
    perClass[c] = { auroc: ci.value, aurocCi: ci };
  }
  return {
    macroAuroc: intervals.macro.value,
    macroAurocCi: intervals.macro,
    perClass,
    trainExamples: o.train.size,
    validationExamples: o.validation?.size ?? 0,
    steps: result.steps,
    stoppedBy: result.stoppedBy,
    bestEpoch: result.bestEpoch,
    seconds: result.seconds,
  };
}
