import { CONFIG_PRESETS } from '@heartline/model/nn';
import { CLASS_SETS } from '@heartline/model/text';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { filterExamples } from '../data/example-set.js';
import { syntheticExamples } from '../data/from-synthetic.js';
import { labelMatrix } from '../eval/zero-shot.js';
import { EcgClassifier } from './ecg-classifier.js';
import { sigmoidCrossEntropy } from './sigmoid-cross-entropy.js';
import { evaluateClassifier, trainSupervisedBaseline } from './supervised-baseline.js';

const config = CONFIG_PRESETS.tiny;
const data = syntheticExamples({ n: 64, seed: 1 });
const classes = CLASS_SETS.superclass.filter((c) => data.labels.some((l) => l.includes(c)));
const train = filterExamples(data, (i) => data.folds[i]! <= 8);
const validation = filterExamples(data, (i) => data.folds[i]! > 8);

beforeAll(async () => {
  await selectBackend('wasm');
});

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('trainSupervisedBaseline', () => {
  it('lowers the loss, ranks its training labels well above chance, and leaks no tensor', () => {
    expect(classes.length).toBeGreaterThanOrEqual(3);
    const untrained = EcgClassifier.create(config, classes, { seed: 1 });
    const before = evaluateClassifier(untrained, train).macro;
    untrained.dispose();
    const counts: number[] = [];
    const result = trainSupervisedBaseline({
      config,
      classes,
      train,
      batchSize: 16,
      steps: 45,
      lr: { peak: 3e-3 },
      onStep: () => counts.push(tf.memory().numTensors),
    });
    const after = evaluateClassifier(result.classifier, train);
    result.classifier.dispose();
    expect(result.steps).toBe(45);
    expect(result.stoppedBy).toBe('steps');
    const losses = result.stepLosses;
    expect(mean(losses.slice(-6))).toBeLessThan(0.8 * mean(losses.slice(0, 6)));
    expect(after.macro).toBeGreaterThan(0.8);
    expect(after.macro).toBeGreaterThan(before + 0.1);
    // One tensor count at every step: nothing accumulates from step to step.
    expect(new Set(counts).size).toBe(1);
  });

  it('stops on the validation loss and keeps the best epoch’s weights', () => {
    const result = trainSupervisedBaseline({
      config,
      classes,
      train,
      validation,
      batchSize: 16,
      steps: 200,
      lr: { peak: 1e-2 },
      patience: 2,
    });
    const losses = result.history.map((r) => r.validationLoss as number);
    const best = Math.min(...losses);
    expect(result.history[result.bestEpoch - 1]?.validationLoss).toBe(best);
    expect(result.stoppedBy).toBe('early-stop');
    expect(result.steps).toBeLessThan(200);
    // The returned classifier scores the validation set at the best epoch's loss.
    const p = result.classifier.scores(validation);
    const y = labelMatrix(validation.labels, classes).data;
    let bce = 0;
    for (let i = 0; i < p.length; i++) {
      const pi = Math.min(1 - 1e-7, Math.max(1e-7, p[i]!));
      bce -= y[i]! * Math.log(pi) + (1 - y[i]!) * Math.log(1 - pi);
    }
    expect(bce / p.length).toBeCloseTo(best, 4);
    result.classifier.dispose();
  });
});

describe('EcgClassifier gradients', () => {
  /** Gradients of the BCE of `rows` by weight name, on the active backend. */
  function gradients(rows: readonly number[]): Record<string, Float32Array> {
    const classifier = EcgClassifier.create(config, classes, { seed: 2 });
    const named = classifier.namedVariables();
    const y = labelMatrix(
      rows.map((r) => train.labels[r]!),
      classes,
    );
    const { value, grads } = tf.variableGrads(
      () =>
        sigmoidCrossEntropy(
          classifier.logitsOf(train, rows),
          tf.tensor2d(Float32Array.from(y.data), [rows.length, classes.length]),
        ),
      named.map(([, v]) => v),
    );
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of named) {
      const g = grads[v.name];
      if (g) out[name] = g.dataSync() as Float32Array;
    }
    tf.dispose([value, ...Object.values(grads)]);
    classifier.dispose();
    return out;
  }

  it('are the same on the wasm backend as on the reference cpu backend', async () => {
    // Regression: training the encoder without patch masking once sent one gradient's data through two
    // matMuls in two shapes, which the wasm backend's operator cache ran with the wrong operator.
    const rows = [...Array(12).keys()];
    await selectBackend('cpu');
    const reference = gradients(rows);
    await selectBackend('wasm');
    const wasm = gradients(rows);
    expect(Object.keys(wasm).sort()).toEqual(Object.keys(reference).sort());
    expect(reference['ecg/patch/w']).toBeDefined();
    let scale = 0;
    for (const g of Object.values(reference)) for (const v of g) scale = Math.max(scale, Math.abs(v));
    for (const [name, g] of Object.entries(reference)) {
      const w = wasm[name]!;
      let worst = 0;
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!));
      expect(worst / scale, name).toBeLessThan(1e-4);
    }
  });
});
