import {
  type BootstrapInterval,
  type BootstrapOptions,
  denseMatrix,
  fitLinearProbe,
  labelFraction,
  macroAurocIntervals,
  resolveBootstrapOptions,
} from '@heartline/model/metrics';
import type { ExampleSet } from '../data/example-set.js';
import type { AlignedEncoders } from './aligned-encoders.js';
import { maskRandomLeads } from './mask-leads.js';
import { type RetrievalReport, retrieval } from './retrieval.js';
import {
  type ClassPrompts,
  classEmbeddings,
  labelMatrix,
  type ZeroShotReport,
  zeroShot,
} from './zero-shot.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Class codes scored (e.g. the five diagnostic superclasses). */
  readonly classes: readonly string[];
  readonly prompts: ClassPrompts;
  /**
   * Labelled examples for the linear probe and for the zero-shot F1 thresholds (e.g. the training
   * folds); without them the probe is not run and F1 thresholds come from the evaluated set.
   */
  readonly probeTrain?: ExampleSet;
  /** Lead counts to mask for the robustness figures. Default [1, 3, 6]. */
  readonly missingLeads?: readonly number[];
  readonly seed?: number | string;
  /**
   * Confidence intervals: percentile bootstrap over the evaluated records, 1,000 draws and level 0.95 by
   * default, seeded with `seed` unless given. Every figure resamples the same records with the same
   * stream, so intervals of figures on one set are paired.
   */
  readonly bootstrap?: BootstrapOptions;
  readonly onProgress?: (stage: string) => void;
}

/**
 * Linear-probe macro AUROC by label budget (`p1` = 1 %, `p10`, `p100`), with bootstrap intervals over the
 * evaluated records (the probe as fitted; refitting per resample would add the training variance).
 */
export interface LinearProbeReport {
  readonly p1: number;
  readonly p10: number;
  readonly p100: number;
  readonly p1Ci: BootstrapInterval;
  readonly p10Ci: BootstrapInterval;
  readonly p100Ci: BootstrapInterval;
  readonly trainExamples: number;
}

/** Figures with `k` leads masked at random. */
export interface MissingLeadsFigures {
  readonly zeroShotMacroAuroc: number;
  readonly zeroShotMacroAurocCi: BootstrapInterval;
  /** Null without reports. */
  readonly reportToEcgR10: number | null;
  readonly reportToEcgR10Ci: BootstrapInterval | null;
}

/** How the intervals of a report were drawn. */
export interface BootstrapSettings {
  readonly method: 'percentile bootstrap over records';
  readonly draws: number;
  readonly level: number;
  readonly seed: number | string;
}

/** What `heartline eval` prints as JSON (the shape the model issue asks for, plus detail). */
export interface EvaluationReport {
  readonly n: number;
  readonly classes: readonly string[];
  readonly zeroShot: ZeroShotReport;
  readonly linearProbe: LinearProbeReport | null;
  /** Null when the examples carry no reports (e.g. the PhysioNet Challenge layout). */
  readonly retrieval: RetrievalReport | null;
  readonly missingLeads: Readonly<Record<string, MissingLeadsFigures>>;
  readonly bootstrap: BootstrapSettings;
}

function probeReport(
  hTrain: Float32Array,
  train: ExampleSet,
  hTest: Float32Array,
  test: ExampleSet,
  dim: number,
  classes: readonly string[],
  seed: number | string,
  bootstrap: BootstrapOptions,
): LinearProbeReport {
  const yTrain = labelMatrix(train.labels, classes);
  const yTest = labelMatrix(test.labels, classes);
  const xTest = denseMatrix(hTest, test.size, dim);
  const at = (fraction: number) => {
    const rows = labelFraction(train.size, fraction, `${String(seed)}:${fraction}`, yTrain);
    const x = new Float64Array(rows.length * dim);
    const y = new Float64Array(rows.length * classes.length);
    rows.forEach((r, i) => {
      for (let k = 0; k < dim; k++) x[i * dim + k] = hTrain[r * dim + k]!;
      for (let c = 0; c < classes.length; c++)
        y[i * classes.length + c] = yTrain.data[r * classes.length + c]!;
    });
    // Tiny budgets get a stronger penalty: a handful of rows would otherwise be fitted exactly.
    const probe = fitLinearProbe(
      denseMatrix(x, rows.length, dim),
      denseMatrix(y, rows.length, classes.length),
      {
        l2: fraction < 0.05 ? 1 : fraction < 0.5 ? 0.1 : 0.01,
      },
    );
    return macroAurocIntervals(probe.predict(xTest), yTest, classes, bootstrap).macro;
  };
  const [p1Ci, p10Ci, p100Ci] = [at(0.01), at(0.1), at(1)] as const;
  return {
    p1: p1Ci.value,
    p10: p10Ci.value,
    p100: p100Ci.value,
    p1Ci,
    p10Ci,
    p100Ci,
    trainExamples: train.size,
  };
}

/**
 * Evaluates aligned encoders on a labelled example set: zero-shot diagnosis from class prompts (AUROC,
 * F1, ROC curves), the linear probe on h_ecg at 1/10/100 % of the probe-training labels, ECG↔report
 * retrieval overall and by report language, and the same zero-shot and retrieval figures with 1, 3 and
 * 6 leads masked at random. Every AUROC and recall carries a 95 % percentile-bootstrap interval over the
 * evaluated records (see {@link EvaluateOptions.bootstrap}).
 */
export function evaluate(
  encoders: AlignedEncoders,
  set: ExampleSet,
  options: EvaluateOptions,
): EvaluationReport {
  const seed = options.seed ?? 0;
  const progress = options.onProgress ?? (() => {});
  const bootstrap: BootstrapOptions = { ...options.bootstrap, seed: options.bootstrap?.seed ?? seed };
  const classes = options.classes;
  const labels = labelMatrix(set.labels, classes);
  const hasReports = set.reports.every((r) => r.length > 0);

  progress('encoding ECGs and class prompts');
  const { h, z } = encoders.encodeEcg(set.windows, set.leadMasks, set.size);
  const classVectors = classEmbeddings(encoders, classes, options.prompts);
  let calibration: { zEcg: Float32Array; labels: ReturnType<typeof labelMatrix> } | undefined;
  let hTrain: Float32Array | undefined;
  if (options.probeTrain && options.probeTrain.size > 0) {
    const encoded = encoders.encodeEcg(
      options.probeTrain.windows,
      options.probeTrain.leadMasks,
      options.probeTrain.size,
    );
    hTrain = encoded.h;
    calibration = { zEcg: encoded.z, labels: labelMatrix(options.probeTrain.labels, classes) };
  }
  progress('zero-shot diagnosis');
  const zero = zeroShot(z, classVectors, encoders.sharedDim, labels, classes, calibration, bootstrap);

  let zText: Float32Array | undefined;
  let retrievalReport: RetrievalReport | null = null;
  if (hasReports) {
    progress('retrieval');
    zText = encoders.encodeText(set.reports);
    retrievalReport = retrieval(z, zText, encoders.sharedDim, set.reportKeys, set.languages, bootstrap);
  }

  let linearProbe: LinearProbeReport | null = null;
  if (hTrain && options.probeTrain) {
    progress('linear probe');
    linearProbe = probeReport(hTrain, options.probeTrain, h, set, encoders.ecgDim, classes, seed, bootstrap);
  }

  const missingLeads: Record<string, MissingLeadsFigures> = {};
  for (const k of options.missingLeads ?? [1, 3, 6]) {
    progress(`${k} leads masked`);
    const masked = maskRandomLeads(set.windows, set.leadMasks, set.size, k, seed);
    const zMasked = encoders.encodeEcg(masked.windows, masked.leadMasks, set.size).z;
    const maskedZeroShot = zeroShot(
      zMasked,
      classVectors,
      encoders.sharedDim,
      labels,
      classes,
      calibration,
      bootstrap,
    );
    const maskedR = zText
      ? retrieval(zMasked, zText, encoders.sharedDim, set.reportKeys, set.languages, bootstrap).reportToEcg
      : null;
    missingLeads[String(k)] = {
      zeroShotMacroAuroc: maskedZeroShot.macroAuroc,
      zeroShotMacroAurocCi: maskedZeroShot.macroAurocCi,
      reportToEcgR10: maskedR ? maskedR.r10 : null,
      reportToEcgR10Ci: maskedR ? maskedR.r10Ci : null,
    };
  }
  const { draws, level } = resolveBootstrapOptions(bootstrap);
  return {
    n: set.size,
    classes,
    zeroShot: zero,
    linearProbe,
    retrieval: retrievalReport,
    missingLeads,
    bootstrap: { method: 'percentile bootstrap over records', draws, level, seed: bootstrap.seed ?? seed },
  };
}
