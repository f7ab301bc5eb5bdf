import {
  auroc,
  type BootstrapInterval,
  type BootstrapOptions,
  bestF1Threshold,
  cosineSimilarityMatrix,
  type DenseMatrix,
  denseMatrix,
  f1Score,
  macroAurocIntervals,
  matrixColumn,
  type RocCurve,
  rocCurve,
} from '@heartline/model/metrics';
import type { AlignedEncoders } from './aligned-encoders.js';

/** Class prompts: each class described by phrases in English and German. */
export type ClassPrompts = Readonly<
  Record<string, { readonly en: readonly string[]; readonly de: readonly string[] }>
>;

/**
 * Per class: its AUROC (with its bootstrap interval), F1, how many positives the evaluation set has, and
 * the ROC curve for plots.
 */
export interface ZeroShotClass {
  readonly auroc: number;
  readonly aurocCi: BootstrapInterval;
  readonly f1: number;
  readonly threshold: number;
  readonly positives: number;
  readonly roc: RocCurve;
}

/** Zero-shot diagnosis figures over a set of classes. */
export interface ZeroShotReport {
  /** Mean AUROC over classes with positives and negatives. */
  readonly macroAuroc: number;
  /** Its bootstrap interval, records resampled (resamples where a counted class lacks a positive or a negative are skipped). */
  readonly macroAurocCi: BootstrapInterval;
  /** Mean F1 over classes with positives. */
  readonly macroF1: number;
  /** Where the F1 thresholds come from: a calibration split, or the evaluated set itself (optimistic). */
  readonly f1Thresholds: 'calibration' | 'evaluation-set';
  readonly perClass: Readonly<Record<string, ZeroShotClass>>;
  readonly skipped: readonly string[];
}

/**
 * One shared-space vector per class: the mean of its prompts' text embeddings (English and German),
 * renormalised, as CLIP/MERL do with prompt ensembles.
 */
export function classEmbeddings(
  encoders: AlignedEncoders,
  classes: readonly string[],
  prompts: ClassPrompts,
): Float32Array {
  const d = encoders.sharedDim;
  const out = new Float32Array(classes.length * d);
  classes.forEach((code, c) => {
    const phrases = [...(prompts[code]?.en ?? []), ...(prompts[code]?.de ?? [])];
    if (phrases.length === 0) throw new RangeError(`no prompts for class '${code}'`);
    const z = encoders.encodeText(phrases);
    let norm = 0;
    for (let k = 0; k < d; k++) {
      let sum = 0;
      for (let p = 0; p < phrases.length; p++) sum += z[p * d + k]!;
      out[c * d + k] = sum;
      norm += sum * sum;
    }
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < d; k++) out[c * d + k] = out[c * d + k]! / norm;
  });
  return out;
}

/** 0/1 label matrix (n × classes) from per-example label lists. */
export function labelMatrix(labels: readonly (readonly string[])[], classes: readonly string[]): DenseMatrix {
  const data = new Float64Array(labels.length * classes.length);
  labels.forEach((l, i) => {
    classes.forEach((c, j) => {
      if (l.includes(c)) data[i * classes.length + j] = 1;
    });
  });
  return denseMatrix(data, labels.length, classes.length);
}

/**
 * Zero-shot diagnosis: the score of class c for an ECG is the cosine between its shared vector and the
 * class's prompt vector. AUROC per class from those scores; F1 at a per-class threshold taken from the
 * calibration scores when given (else from the evaluated set, which is optimistic and labelled so).
 * AUROCs carry percentile-bootstrap intervals over the evaluated records (`bootstrap`: draws, seed,
 * level); the thresholds and class vectors stay fixed.
 */
export function zeroShot(
  zEcg: Float32Array,
  classVectors: Float32Array,
  sharedDim: number,
  labels: DenseMatrix,
  classes: readonly string[],
  calibration?: { zEcg: Float32Array; labels: DenseMatrix },
  bootstrap: BootstrapOptions = {},
): ZeroShotReport {
  const scores = cosineSimilarityMatrix(zEcg, classVectors, sharedDim);
  const intervals = macroAurocIntervals(scores, labels, classes, bootstrap);
  const calScores = calibration
    ? cosineSimilarityMatrix(calibration.zEcg, classVectors, sharedDim)
    : undefined;
  const perClass: Record<string, ZeroShotClass> = {};
  const skipped: string[] = [];
  let aurocSum = 0;
  let aurocCount = 0;
  let f1Sum = 0;
  let f1Count = 0;
  classes.forEach((code, c) => {
    const s = matrixColumn(scores, c);
    const y = matrixColumn(labels, c);
    const positives = y.reduce((a, b) => a + b, 0);
    const area = auroc(s, y);
    const calY = calibration ? matrixColumn(calibration.labels, c) : y;
    const calS = calScores ? matrixColumn(calScores, c) : s;
    const threshold = calY.some((v) => v === 1)
      ? bestF1Threshold(calS, calY).threshold
      : Number.POSITIVE_INFINITY;
    const f1 = f1Score(s, y, threshold).f1;
    perClass[code] = {
      auroc: area,
      aurocCi: intervals.perClass[code]!,
      f1,
      threshold,
      positives,
      roc: rocCurve(s, y),
    };
    if (Number.isNaN(area)) skipped.push(code);
    else {
      aurocSum += area;
      aurocCount += 1;
    }
    if (positives > 0 && !Number.isNaN(f1)) {
      f1Sum += f1;
      f1Count += 1;
    }
  });
  return {
    macroAuroc: aurocCount ? aurocSum / aurocCount : Number.NaN,
    macroAurocCi: intervals.macro,
    macroF1: f1Count ? f1Sum / f1Count : Number.NaN,
    f1Thresholds: calibration ? 'calibration' : 'evaluation-set',
    perClass,
    skipped,
  };
}
