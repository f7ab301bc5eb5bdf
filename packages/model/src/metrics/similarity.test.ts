import { describe, expect, it } from 'vitest';
import { cosineSimilarityMatrix, l2NormaliseInPlace, softmax, softmaxRows } from './similarity.js';

describe('cosineSimilarityMatrix', () => {
  it('gives the dot products of unit vectors', () => {
    const a = [1, 0, Math.SQRT1_2, Math.SQRT1_2];
    const b = [0, 1, 1, 0, -1, 0];
    const m = cosineSimilarityMatrix(a, b, 2);
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    const expected = [0, 1, -1, Math.SQRT1_2, Math.SQRT1_2, -Math.SQRT1_2];
    Array.from(m.data).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
  });

  it('rejects input whose length is not a multiple of dim', () => {
    // Input tried: 3 values with dim 2.
    expect(() => cosineSimilarityMatrix([1, 2, 3], [1, 2], 2)).toThrow(/a.length/);
  });
});

describe('l2NormaliseInPlace', () => {
  it('scales to unit length', () => {
    const v = l2NormaliseInPlace(Float64Array.from([3, 4]));
    expect(v[0]).toBeCloseTo(0.6, 12);
    expect(v[1]).toBeCloseTo(0.8, 12);
  });
});

describe('softmax', () => {
  it('matches exp(x/T)/Σ by hand', () => {
    // logits [0, ln 3] at T = 1 → [1, 3]/4; at T = 0.5 → [1, 9]/10.
    const p1 = softmax([0, Math.log(3)]);
    expect(p1[0]).toBeCloseTo(0.25, 12);
    const p2 = softmax([0, Math.log(3)], 0.5);
    expect(p2[1]).toBeCloseTo(0.9, 12);
  });

  it('stays finite for large logits', () => {
    const p = softmax([1000, 1000]);
    expect([...p]).toEqual([0.5, 0.5]);
  });

  it('rejects a temperature of 0', () => {
    // Input tried: temperature 0.
    expect(() => softmax([1, 2], 0)).toThrow(/temperature/);
  });

  it('applies row by row', () => {
    const m = softmaxRows({ data: [0, 0, 0, Math.log(3)], rows: 2, cols: 2 });
    expect(m.data[0]).toBeCloseTo(0.5, 12);
    expect(m.data[3]).toBeCloseTo(0.75, 12);
  });
});
