import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { clipScale } from './step.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Adam', () => {
  it('moves each weight by lr·sign(g) on the first step, plus decay on matrices only', () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const adam = new Adam(
      [
        ['m/w', w],
        ['m/b', b],
      ],
      { weightDecay: 0.1 },
    );
    adam.applyArrays(
      new Map([
        ['m/w', Float32Array.of(3, -0.5)],
        ['m/b', Float32Array.of(-2)],
      ]),
      0.01,
    );
    // Step 1: m = 0.1 g, v = 0.001 g², lr·√0.001/0.1 · m/√v = lr·sign(g); decay 0.01·0.1·w on the matrix.
    const wv = w.dataSync();
    expect(wv[0]).toBeCloseTo(1 - 0.01 - 0.001, 6);
    expect(wv[1]).toBeCloseTo(-2 + 0.01 + 0.002, 6);
    expect(b.dataSync()[0]).toBeCloseTo(0.5 + 0.01, 6);
    const state = adam.getState();
    expect(state.step).toBe(1);
    expect(Array.from(state.m['m/w'] as Float32Array)).toEqual([Math.fround(0.3), Math.fround(-0.05)]);
    adam.dispose();
    tf.dispose([w, b]);
  });

  it('resumes bit-exactly from getState on a fresh optimizer', () => {
    const run = (split: boolean): Float32Array => {
      const w = tf.variable(tf.tensor1d([0.2, -0.7, 1.5]));
      let adam = new Adam([['w', w]]);
      for (let t = 0; t < 6; t++) {
        if (split && t === 3) {
          const state = adam.getState();
          adam = new Adam([['w', w]]);
          adam.setState(state);
        }
        adam.applyArrays(new Map([['w', Float32Array.of(t - 2, 0.3 * t, -1)]]), 0.05);
      }
      const out = w.dataSync().slice() as Float32Array;
      w.dispose();
      return out;
    };
    expect(Array.from(run(true))).toEqual(Array.from(run(false)));
  });
});

describe('clipScale', () => {
  it('is clipNorm/‖g‖ for a 3-4-12 gradient of norm 13, and 1 below the threshold', () => {
    expect(clipScale([Float32Array.of(3, 4), Float32Array.of(12)], 1)).toBeCloseTo(1 / 13, 12);
    expect(clipScale([Float32Array.of(3, 4), Float32Array.of(12)], 20)).toBe(1);
  });
});
