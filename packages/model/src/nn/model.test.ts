import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_PRESETS } from './config.js';
import { CgDmerModel } from './model.js';

const config = CONFIG_PRESETS.tiny;
const B = 2;

function randomEcg(seed: number): tf.Tensor3D {
  return tf.randomNormal([B, config.leads, config.windowSamples], 0, 1, 'float32', seed) as tf.Tensor3D;
}

let model: CgDmerModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = CgDmerModel.create(config, 7);
});
afterAll(() => model.dispose());

describe('CgDmerModel', () => {
  it('returns tokens [B, 240, d], h_ecg [B, d], h_txt [B, d] and unit-length shared vectors', () => {
    const enc = model.encodeEcg(randomEcg(1), tf.ones([B, 12]));
    expect(enc.tokens.shape).toEqual([B, 240, config.ecgDim]);
    expect(enc.hEcg.shape).toEqual([B, config.ecgDim]);
    const hTxt = model.encodeText(
      Int32Array.from([1, 2, 3, 0, 4, 5, 6, 7]),
      tf.tensor2d([
        [1, 1, 1, 0],
        [1, 1, 1, 1],
      ]),
    );
    expect(hTxt.shape).toEqual([B, config.ecgDim]);
    const z = model.sharedFromEcg(enc.hEcg);
    expect(z.shape).toEqual([B, config.sharedDim]);
    const norms = tf.sqrt(tf.sum(tf.square(z), 1)).dataSync();
    for (const n of norms) expect(n).toBeCloseTo(1, 5);
    expect(model.sharedFromText(hTxt).shape).toEqual([B, config.sharedDim]);
  });

  it('ignores the data of masked leads', () => {
    const x = randomEcg(2);
    const leadMask = tf.tensor2d([
      Array.from({ length: 12 }, (_, l) => (l === 3 || l === 8 ? 0 : 1)),
      new Array(12).fill(1),
    ]);
    // Overwrite leads 3 and 8 of window 0 with other values.
    const noise = tf.randomNormal([B, 12, config.windowSamples], 5, 3, 'float32', 9);
    const select = tf.reshape(tf.tensor2d([[0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0], new Array(12).fill(0)]), [
      B,
      12,
      1,
    ]);
    const changed = tf.add(tf.mul(x, tf.sub(1, select)), tf.mul(noise, select)) as tf.Tensor3D;
    const a = model.encodeEcg(x, leadMask).hEcg.dataSync();
    const b = model.encodeEcg(changed, leadMask).hEcg.dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    // Sanity check that the change would matter if the leads were usable.
    const c = model.encodeEcg(changed, tf.ones([B, 12])).hEcg.dataSync();
    const d = model.encodeEcg(x, tf.ones([B, 12])).hEcg.dataSync();
    expect(Array.from(c)).not.toEqual(Array.from(d));
  });

  it('ignores padding tokens of the text', () => {
    const mask = tf.tensor2d([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
    const a = model.encodeText(Int32Array.from([5, 6, 7, 8, 1, 2, 3, 4]), mask).dataSync();
    const b = model.encodeText(Int32Array.from([5, 6, 30, 31, 1, 2, 3, 4]), mask).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('creates identical weights from the same seed and different ones from another', () => {
    const again = CgDmerModel.create(config, 7);
    const other = CgDmerModel.create(config, 8);
    const w0 = model.getWeights();
    const w1 = again.getWeights();
    const w2 = other.getWeights();
    again.dispose();
    other.dispose();
    for (const name of Object.keys(w0)) expect(w1[name]?.values).toEqual(w0[name]?.values);
    expect(w2['ecg/patch/w']?.values).not.toEqual(w0['ecg/patch/w']?.values);
  });

  it('reproduces its outputs after a getWeights/setWeights round trip into another seed', () => {
    const other = CgDmerModel.create(config, 99);
    other.setWeights(model.getWeights());
    const x = randomEcg(3);
    const mask = tf.ones([B, 12]) as tf.Tensor2D;
    const za = model.sharedFromEcg(model.encodeEcg(x, mask).hEcg).dataSync();
    const zb = other.sharedFromEcg(other.encodeEcg(x, mask).hEcg).dataSync();
    other.dispose();
    expect(Array.from(zb)).toEqual(Array.from(za));
  });

  it('names weights by group and rejects a wrong shape (tried ecg/patch/w as [1, 1])', () => {
    const names = model.weightNames();
    expect(names).toContain('ecg/block0/temporal/q/w');
    expect(names).toContain('ecg/block0/spatial/out/b');
    expect(names).toContain('text/token_emb');
    expect(names).toContain('temperature/log_scale');
    expect(model.variables('temperature')).toHaveLength(1);
    expect(() =>
      model.setWeights({ 'ecg/patch/w': { shape: [1, 1], values: new Float32Array(1) } }, false),
    ).toThrow(/ecg\/patch\/w/);
  });

  it('starts the logit scale at 1 / 0.07', () => {
    expect(model.logitScale().dataSync()[0]).toBeCloseTo(1 / 0.07, 3);
  });
});
