import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosine, norm, TopK } from './top-k.js';

describe('TopK', () => {
  it('keeps the k best scores, best first, whatever the order they come in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 20 }),
        (scores, k) => {
          const top = new TopK<number>(k);
          for (const [i, s] of scores.entries()) top.offer(i, s);
          const expected = [...scores].sort((a, b) => b - a).slice(0, k);
          expect(top.result().map((r) => r.score)).toEqual(expected);
        },
      ),
      { verbose: true },
    );
  });
});

describe('cosine', () => {
  it('is 1 for parallel vectors, 0 for orthogonal or zero ones', () => {
    const q = new Float32Array([3, 4]);
    expect(cosine(q, norm(q), [6, 8])).toBeCloseTo(1, 6);
    expect(cosine(q, norm(q), [-4, 3])).toBeCloseTo(0, 6);
    expect(cosine(q, norm(q), [0, 0])).toBe(0);
  });
});
