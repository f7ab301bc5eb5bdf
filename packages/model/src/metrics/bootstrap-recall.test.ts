import { describe, expect, it } from 'vitest';
import { meanInterval } from './bootstrap.js';
import { recallIntervals, recallIntervalsFromRanks } from './bootstrap-recall.js';
import { denseMatrix } from './matrix.js';
import { recallAtK, relevantRanks } from './recall-at-k.js';

describe('relevantRanks', () => {
  it('counts the irrelevant items at or above the best relevant one, -1 without a relevant item', () => {
    // Query 0: relevant item 1 (0.5) has item 2 (0.9) above it → 1. Query 1: item 0 ties its relevant
    // item 2 (pessimistic) → 1. Query 2: nothing relevant.
    const sim = denseMatrix([0.1, 0.5, 0.9, 0.7, 0.2, 0.7, 0.3, 0.2, 0.1], 3, 3);
    const relevant = [new Set([1]), new Set([2]), new Set<number>()];
    expect(Array.from(relevantRanks(sim, relevant))).toEqual([1, 1, -1]);
  });
});

describe('recallIntervals', () => {
  it('is the bootstrap of the scored queries’ hits: same values, gallery kept whole', () => {
    const n = 40;
    // Query q's own item scores q / n; the gallery is every item, so query q has (n − 1 − q) items above.
    const data = new Float64Array(n * n);
    for (let q = 0; q < n; q++) for (let i = 0; i < n; i++) data[q * n + i] = i === q ? q / n : 1 - i / n;
    const sim = denseMatrix(data, n, n);
    const same = (q: number, i: number) => q === i;
    const ci = recallIntervals(sim, same, [1, 10], { seed: 5 });
    const point = recallAtK(sim, same, [1, 10]).recall;
    expect(ci['r1']!.value).toBe(point['r1']);
    expect(ci['r10']!.value).toBe(point['r10']);
    const ranks = relevantRanks(sim, same);
    const hits10 = Array.from(ranks, (r) => (r < 10 ? 1 : 0));
    expect(ci['r10']).toEqual(meanInterval(hits10, { seed: 5 }));
    expect(ci['r10']!.low).toBeLessThanOrEqual(ci['r10']!.value);
    expect(ci['r10']!.high).toBeGreaterThanOrEqual(ci['r10']!.value);
  });

  it('leaves unscored queries out of the resampling', () => {
    const ci = recallIntervalsFromRanks([0, 0, -1, -1, 0], [1], { draws: 50 });
    expect(ci['r1']).toMatchObject({ value: 1, low: 1, high: 1, skipped: 0 });
    expect(recallIntervalsFromRanks([-1, -1], [1])['r1']!.value).toBeNaN();
  });
});
