import { describe, expect, it } from 'vitest';
import { labelFraction } from './label-fraction.js';
import { denseMatrix } from './matrix.js';

describe('labelFraction', () => {
  const labels = denseMatrix(
    // 20 rows × 2 classes: class 0 positive in rows 0–9, class 1 (rare) only in row 17.
    Array.from({ length: 40 }, (_, k) => {
      const row = Math.floor(k / 2);
      return k % 2 === 0 ? (row < 10 ? 1 : 0) : row === 17 ? 1 : 0;
    }),
    20,
    2,
  );

  it('takes ceil(fraction × n) rows when no labels are given', () => {
    expect(labelFraction(1000, 0.01, 1)).toHaveLength(10);
    expect(labelFraction(1000, 1, 1)).toHaveLength(1000);
    expect(labelFraction(7, 0.1, 1)).toHaveLength(1);
  });

  it('is deterministic for a seed and ascending', () => {
    const a = labelFraction(500, 0.1, 'probe');
    expect([...a]).toEqual([...labelFraction(500, 0.1, 'probe')]);
    expect([...a]).toEqual([...a].sort((p, q) => p - q));
  });

  it('includes a positive and a negative of every class where the data have them', () => {
    const chosen = labelFraction(20, 0.05, 4, labels);
    expect([...chosen]).toContain(17);
    const class0 = [...chosen].map((i) => labels.data[i * 2]);
    expect(class0).toContain(1);
    expect(class0).toContain(0);
  });

  it('rejects a fraction above 1', () => {
    // Input tried: fraction 1.5.
    expect(() => labelFraction(10, 1.5, 1)).toThrow(/fraction/);
  });
});
