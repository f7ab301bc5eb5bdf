import { CONFIG_PRESETS } from '@heartline/model/nn';
import { CLASS_SETS } from '@heartline/model/text';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { filterExamples } from '../data/example-set.js';
import { syntheticExamples } from '../data/from-synthetic.js';
import { holdOutLastFold, supervisedBaselineReport } from './supervised-report.js';

const data = syntheticExamples({ n: 48, seed: 2 });
const classes = CLASS_SETS.superclass.filter((c) => data.labels.some((l) => l.includes(c)));

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('holdOutLastFold', () => {
  it('validates on the highest fold and fits the others, and keeps a one-fold set whole', () => {
    const train = filterExamples(data, (i) => data.folds[i]! <= 7);
    const { fit, validation } = holdOutLastFold(train);
    expect(new Set(validation!.folds)).toEqual(new Set([7]));
    expect(fit.folds.every((f) => f < 7)).toBe(true);
    expect(fit.size + validation!.size).toBe(train.size);
    const one = filterExamples(data, (i) => data.folds[i] === 3);
    expect(holdOutLastFold(one)).toEqual({ fit: one });
  });
});

describe('supervisedBaselineReport', () => {
  it('scores the baseline on the test set with intervals, and frees its classifier', () => {
    const test = filterExamples(data, (i) => data.folds[i]! === 8);
    const { fit, validation } = holdOutLastFold(filterExamples(data, (i) => data.folds[i]! <= 7));
    const before = tf.memory().numTensors;
    const report = supervisedBaselineReport({
      config: CONFIG_PRESETS.tiny,
      classes,
      train: fit,
      ...(validation ? { validation } : {}),
      test,
      steps: 6,
      batchSize: 8,
      bootstrap: { draws: 100, seed: 1 },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.trainExamples).toBe(fit.size);
    expect(report.validationExamples).toBe(validation?.size ?? 0);
    expect(report.macroAurocCi.value).toBe(report.macroAuroc);
    if (!Number.isNaN(report.macroAurocCi.low)) {
      expect(report.macroAurocCi.low).toBeLessThanOrEqual(report.macroAuroc);
      expect(report.macroAurocCi.high).toBeGreaterThanOrEqual(report.macroAuroc);
    }
    expect(Object.keys(report.perClass)).toEqual([...classes]);
  });
});
