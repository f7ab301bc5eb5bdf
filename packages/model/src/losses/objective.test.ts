import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from '../nn/gradients.js';
import { disentangleLoss } from './disentangle.js';
import { infoNce } from './infonce.js';
import { headTerms, weightedLoss, weightedLossValue } from './objective.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  // tfjs-core registers no gradients of its own.
  registerGradients();
});

const weights = { lambdaClip: 1, lambdaStmm: 0.5, lambdaDis: 0.1 };
const read = (t: tf.Tensor) => t.dataSync()[0] as number;

describe('weightedLoss', () => {
  it('sums λ·term: 1·2 + 0.5·3 + 0.1·5 = 4', () => {
    const total = tf.tidy(() =>
      read(weightedLoss({ clip: tf.scalar(2), stmm: tf.scalar(3), dis: tf.scalar(5) }, weights)),
    );
    expect(total).toBeCloseTo(4, 6);
  });

  it('leaves out a term that is not given (a worker adds only its ST-MM part)', () => {
    expect(tf.tidy(() => read(weightedLoss({ stmm: tf.scalar(3) }, weights)))).toBeCloseTo(1.5, 6);
    expect(tf.tidy(() => read(weightedLoss({}, weights)))).toBe(0);
  });

  it('passes each term its λ as gradient', () => {
    const terms = [tf.scalar(2), tf.scalar(3), tf.scalar(5)];
    const grads = tf.grads((clip, stmm, dis) =>
      weightedLoss({ clip: clip as tf.Scalar, stmm: stmm as tf.Scalar, dis: dis as tf.Scalar }, weights),
    )(terms);
    expect(grads.map(read)).toEqual([1, 0.5, expect.closeTo(0.1, 6)]);
    tf.dispose([...terms, ...grads]);
  });
});

describe('weightedLossValue', () => {
  it('gives the same total as weightedLoss, from numbers', () => {
    expect(weightedLossValue({ clip: 2, stmm: 3, dis: 5 }, weights)).toBeCloseTo(4, 12);
  });
});

describe('headTerms', () => {
  const z = (seed: number): tf.Tensor2D =>
    tf.tidy(() => tf.div(tf.randomNormal([4, 3], 0, 1, 'float32', seed), 2));

  it('is InfoNCE and the mean disentanglement of the two modalities', () => {
    const before = tf.memory().numTensors;
    const [clip, dis, wantClip, wantDis] = tf.tidy(() => {
      const out = { zEcg: z(1), zTxt: z(2), logitScale: tf.scalar(10), sEcg: z(3), sTxt: z(4) };
      const key = Int32Array.from([0, 1, 2, 3]);
      const t = headTerms(out, key);
      return [
        read(t.clip),
        read(t.dis),
        read(infoNce(out.zEcg, out.zTxt, out.logitScale, key)),
        (read(disentangleLoss(out.sEcg, out.zEcg)) + read(disentangleLoss(out.sTxt, out.zTxt))) / 2,
      ];
    });
    expect(clip).toBeCloseTo(wantClip, 6);
    expect(dis).toBeCloseTo(wantDis, 6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives dis = 0 without specific vectors (λdis = 0: the heads do not run)', () => {
    const dis = tf.tidy(() =>
      read(
        headTerms({ zEcg: z(1), zTxt: z(2), logitScale: tf.scalar(10) }, Int32Array.from([0, 1, 2, 3])).dis,
      ),
    );
    expect(dis).toBe(0);
  });
});
