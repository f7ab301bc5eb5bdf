import { describe, expect, it } from 'vitest';
import { denseMatrix } from './matrix.js';
import { recallAtK } from './recall-at-k.js';

describe('recallAtK', () => {
  // 3 queries × 4 items; query q's own pair is item q.
  // q0: own item ranks 1st. q1: items 2 and 0 score higher → rank 3. q2: its own item 2 ranks 2nd (item 3 is higher).
  const sim = denseMatrix([0.9, 0.1, 0.2, 0.3, 0.8, 0.5, 0.9, 0.1, 0.1, 0.2, 0.3, 0.6], 3, 4);

  it('scores hits within the top k from relevance sets', () => {
    // q2's set holds item 3 (e.g. a report with the same normalised text), its top-scoring item → rank 1.
    const r = recallAtK(sim, [new Set([0]), new Set([1]), new Set([3])], [1, 2, 3]);
    expect(r.recall).toEqual({ r1: 2 / 3, r2: 2 / 3, r3: 1 });
    expect(r.queries).toBe(3);
  });

  it('accepts a predicate and counts the best-ranked relevant item', () => {
    // q1 relevant: items 1 and 2 (same normalised text) → item 2 ranks first → hit at 1.
    // q0 hits at 1; q2 (own item only) ranks 2nd → miss at 1, hit at 2.
    const relevant = (q: number, n: number) => n === q || (q === 1 && n === 2);
    expect(recallAtK(sim, relevant, [1, 2]).recall).toEqual({ r1: 2 / 3, r2: 1 });
  });

  it('ranks an irrelevant item tied with the relevant one above it', () => {
    // All similarities equal: the relevant item ranks behind the 3 irrelevant ones → miss at 1..3, hit at 4.
    const flat = denseMatrix([0.5, 0.5, 0.5, 0.5], 1, 4);
    expect(recallAtK(flat, [new Set([2])], [1, 3, 4]).recall).toEqual({ r1: 0, r3: 0, r4: 1 });
  });

  it('skips queries with no relevant item', () => {
    const r = recallAtK(sim, [new Set([0]), new Set<number>(), new Set([2])], [1]);
    expect(r).toMatchObject({ queries: 2, skipped: 1 });
  });

  it('rejects k = 0', () => {
    // Input tried: ks = [0].
    expect(() => recallAtK(sim, () => true, [0])).toThrow(/k = 0/);
  });
});
