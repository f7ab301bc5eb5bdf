import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { auroc, rocCurve, trapezoidArea } from './auroc.js';
import { macroAuroc } from './macro-auroc.js';
import { denseMatrix } from './matrix.js';

describe('auroc', () => {
  it('counts pairwise wins when scores are distinct', () => {
    // Positives 0.35, 0.8 vs negatives 0.1, 0.4: (0.35>0.1), (0.8>0.1), (0.8>0.4) win, (0.35<0.4) loses → 3/4.
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('counts a tied positive–negative pair as one half', () => {
    // Pairs: (0.5 vs 0.5) tie = 0.5, (0.5 vs 0.2) win, (0.9 vs both) win → 3.5 / 4.
    expect(auroc([0.5, 0.2, 0.5, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
  });

  it('gives 0.5 when every score is tied', () => {
    expect(auroc([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0, 0])).toBe(0.5);
  });

  it('gives 1 for a perfect ranking and 0 for an inverted one', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('returns NaN when only one class is present', () => {
    expect(auroc([0.1, 0.7], [1, 1])).toBeNaN();
    expect(auroc([0.1, 0.7], [0, 0])).toBeNaN();
  });

  it('rejects NaN scores and mismatched lengths', () => {
    // Input tried: a NaN score; then 3 scores with 2 labels.
    expect(() => auroc([0.1, Number.NaN], [0, 1])).toThrow(InvalidArgumentError);
    expect(() => auroc([0.1, 0.2, 0.3], [0, 1])).toThrow(/labels.length/);
  });

  it('agrees with a brute-force pair count on random data with ties', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const scores = Array.from({ length: 200 }, () => Math.round(next() * 20) / 20);
    const labels = scores.map((s) => (next() < 0.3 + 0.4 * s ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < scores.length; i++) {
      for (let j = 0; j < scores.length; j++) {
        if (labels[i] !== 1 || labels[j] !== 0) continue;
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    expect(auroc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });
});

describe('rocCurve', () => {
  it('steps through each distinct score from (0,0) to (1,1)', () => {
    const roc = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    // Thresholds ∞, 0.8, 0.4, 0.35, 0.1: TPR 0, ½, ½, 1, 1; FPR 0, 0, ½, ½, 1.
    expect([...roc.thresholds]).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
    expect([...roc.tpr]).toEqual([0, 0.5, 0.5, 1, 1]);
    expect([...roc.fpr]).toEqual([0, 0, 0.5, 0.5, 1]);
  });

  it('has a trapezoidal area equal to the tie-aware AUROC', () => {
    const scores = [0.5, 0.2, 0.5, 0.9, 0.2, 0.7];
    const labels = [0, 0, 1, 1, 1, 0];
    const roc = rocCurve(scores, labels);
    expect(trapezoidArea(roc.fpr, roc.tpr)).toBeCloseTo(auroc(scores, labels), 12);
  });
});

describe('macroAuroc', () => {
  it('averages classes with both labels and skips the rest', () => {
    // Rows: 4 samples × 3 classes. Class A perfect (1), class B inverted (0), class C all negative.
    const scores = denseMatrix([0.9, 0.1, 0.2, 0.8, 0.2, 0.3, 0.2, 0.8, 0.4, 0.1, 0.9, 0.5], 4, 3);
    const labels = denseMatrix([1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0], 4, 3);
    const result = macroAuroc(scores, labels, ['A', 'B', 'C']);
    expect(result.perClass['A']).toBe(1);
    expect(result.perClass['B']).toBe(0);
    expect(result.perClass['C']).toBeNaN();
    expect(result.skipped).toEqual(['C']);
    expect(result.macro).toBe(0.5);
  });

  it('rejects a class-name list of the wrong length', () => {
    // Input tried: 2 names for a 2×3 matrix.
    const m = denseMatrix([0, 0, 0, 0, 0, 0], 2, 3);
    expect(() => macroAuroc(m, m, ['A', 'B'])).toThrow(/classNames.length/);
  });
});
