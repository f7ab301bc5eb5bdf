import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '@heartline/ecg/errors';
import { CgDmerModel, resolveConfig } from '@heartline/model/nn';
import { trainWordPiece } from '@heartline/model/text';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignRelease, MIN_ALIGN_PAIRS } from './align-release.js';
import { selectBackend } from './backend.js';
import type { AlignPair } from './data/align-pairs.js';
import { createAlignBatchSource, packAlignPairs, splitAlignPairs } from './data/align-pairs.js';
import { alignPairsFromExamples } from './data/align-pairs-from-examples.js';
import { syntheticExamples } from './data/from-synthetic.js';
import { loadRelease } from './load-release.js';
import { evaluateLosses } from './loop/step.js';
import { preprocessOptionsOfModel } from './preprocessing.js';
import { readReleaseDir, writeReleaseDir } from './release/release-dir.js';

let work: string;
let parentDir: string;
let pairs: AlignPair[];

/** A parent release without pretraining: a seeded tiny model and a tokenizer learned from the reports. */
async function writeParent(dir: string, reports: readonly string[]): Promise<void> {
  const tokenizer = trainWordPiece(reports, { vocabSize: 400 });
  const config = resolveConfig({ vocabSize: tokenizer.vocabSize }, 'tiny');
  const model = CgDmerModel.create(config, 7);
  await writeReleaseDir(dir, {
    manifest: {
      format: 'heartline-release',
      formatVersion: 1,
      id: 'r-parent',
      created: new Date().toISOString(),
      mode: 'pretrain',
      preset: 'tiny',
      config,
      preprocessing: preprocessOptionsOfModel(config),
      data: {},
    },
    weights: model.getWeights(),
    tokenizer: tokenizer.toJSON(),
    metrics: {},
  });
  model.dispose();
}

beforeAll(async () => {
  await selectBackend();
  work = await mkdtemp(join(tmpdir(), 'heartline-align-'));
  parentDir = join(work, 'parent');
  const set = syntheticExamples({ n: 48, seed: 3 });
  await writeParent(parentDir, set.reportKeys);
  pairs = await alignPairsFromExamples(parentDir, set);
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Mean InfoNCE of a release over the training pairs of the split alignRelease makes (seed 1). */
async function trainingInfoNce(dir: string): Promise<number> {
  const release = await loadRelease(dir);
  const set = packAlignPairs(pairs, release.model.config.ecgDim);
  const { train } = splitAlignPairs(set, { fraction: 0.2, minHeldOut: 4, seed: 1 });
  const source = createAlignBatchSource(train, release.tokenizer, {
    batchSize: train.size,
    maxTokens: release.model.config.maxTokens,
    seed: 1,
    shuffle: false,
  });
  const loss = evaluateLosses(release.model, source.batch(0, 0), 'align', 'check').clip;
  release.model.dispose();
  return loss;
}

describe('alignRelease', () => {
  it('trains text and shared encoders on stored embeddings, keeping the parent ECG encoder', async () => {
    const out = join(work, 'aligned');
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const { manifest, evaluation, parentEvaluation } = await alignRelease({
      out,
      parent: parentDir,
      pairs,
      steps: 40,
      peakLr: 3e-3,
      onEpoch: (r) => epochs.push(r.epoch),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(manifest.mode).toBe('align');
    expect(manifest.parent).toBe('r-parent');
    expect(epochs.length).toBeGreaterThan(0);
    expect(evaluation.n).toBe(parentEvaluation.n);
    expect(evaluation.retrieval.reportToEcg.queries).toBe(evaluation.n);

    const parent = await readReleaseDir(parentDir);
    const child = await readReleaseDir(out);
    const names = Object.keys(parent.weights);
    expect(Object.keys(child.weights).sort()).toEqual([...names].sort());
    let ecgWeights = 0;
    let changed = 0;
    for (const name of names) {
      const a = parent.weights[name]!.values;
      const b = child.weights[name]!.values;
      const same = a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
      if (name.startsWith('ecg/')) {
        ecgWeights += 1;
        expect(same, name).toBe(true);
      } else if (!same) changed += 1;
    }
    expect(ecgWeights).toBeGreaterThan(0);
    expect(changed).toBeGreaterThan(0);
    expect(child.tokenizer).toEqual(parent.tokenizer);

    const [lossBefore, lossAfter] = [await trainingInfoNce(parentDir), await trainingInfoNce(out)];
    expect(lossAfter).toBeLessThan(lossBefore);
  }, 120_000);

  it('refuses fewer pairs than the minimum with a DatasetError', async () => {
    await expect(
      alignRelease({ out: join(work, 'few'), parent: parentDir, pairs: pairs.slice(0, MIN_ALIGN_PAIRS - 1) }),
    ).rejects.toBeInstanceOf(DatasetError);
  });

  it('writes no release when aborted', async () => {
    const out = join(work, 'aborted');
    const controller = new AbortController();
    const run = alignRelease({
      out,
      parent: parentDir,
      pairs,
      steps: 500,
      signal: controller.signal,
      onProgress: (stage, done) => {
        if (stage === 'training' && done === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    await expect(readReleaseDir(out)).rejects.toThrow();
  }, 60_000);
});
