import { describe, expect, it } from 'vitest';
import { bestF1Threshold, f1Score, macroF1 } from './f1.js';
import { denseMatrix } from './matrix.js';

describe('f1Score', () => {
  it('matches a hand count at a threshold', () => {
    // threshold 0.5 → predicted [1,1,0,1,0]; labels [1,0,1,1,0]: TP 2, FP 1, FN 1 → F1 = 4/6.
    const r = f1Score([0.9, 0.6, 0.3, 0.5, 0.1], [1, 0, 1, 1, 0], 0.5);
    expect(r).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(r.f1).toBeCloseTo(2 / 3, 12);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
  });

  it('is NaN when there are no positive labels and no positive predictions', () => {
    expect(f1Score([0.1, 0.2], [0, 0], 0.5).f1).toBeNaN();
  });
});

describe('bestF1Threshold', () => {
  it('picks the score that maximises F1 on hand-worked data', () => {
    // Sorted scores 0.9(1) 0.8(0) 0.7(1) 0.4(1) 0.2(0); F1 = 2TP/(k + 3) for the top k:
    // k=1: 2/4, k=2: 2/5, k=3: 4/6, k=4: 6/7, k=5: 6/8 → best at 0.4 with 6/7.
    const best = bestF1Threshold([0.8, 0.2, 0.9, 0.4, 0.7], [0, 0, 1, 1, 1]);
    expect(best.threshold).toBe(0.4);
    expect(best.f1).toBeCloseTo(6 / 7, 12);
    expect(f1Score([0.8, 0.2, 0.9, 0.4, 0.7], [0, 0, 1, 1, 1], best.threshold).f1).toBeCloseTo(6 / 7, 12);
  });

  it('gives an infinite threshold when no label is positive', () => {
    expect(bestF1Threshold([0.3, 0.4], [0, 0]).threshold).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('macroF1', () => {
  it('averages per-class F1 with one threshold per class and skips classes without positives', () => {
    // Class A at 0.5: predicted [1,0,1], labels [1,0,0] → TP1 FP1 FN0 → 2/3.
    // Class B at 0.3: predicted [1,1,1], labels [1,1,1] → 1. Class C: no positive label → skipped.
    const scores = denseMatrix([0.9, 0.4, 0.1, 0.2, 0.3, 0.9, 0.6, 0.8, 0.5], 3, 3);
    const labels = denseMatrix([1, 1, 0, 0, 1, 0, 0, 1, 0], 3, 3);
    const r = macroF1(scores, labels, ['A', 'B', 'C'], [0.5, 0.3, 0.5]);
    expect(r.perClass['A']).toBeCloseTo(2 / 3, 12);
    expect(r.perClass['B']).toBe(1);
    expect(r.skipped).toEqual(['C']);
    expect(r.macro).toBeCloseTo((2 / 3 + 1) / 2, 12);
  });
});
