import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auroc } from './auroc.js';
import { aurocInterval, macroAurocIntervals, weightedAurocOf } from './bootstrap-auroc.js';
import { denseMatrix } from './matrix.js';

/** A small deterministic stream for test data (LCG), independent of the bootstrap's own. */
function stream(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** n records whose score is the label plus noise (separable by `signal`), scores rounded to force ties. */
function noisy(n: number, signal: number, seed: number): { scores: number[]; labels: number[] } {
  const next = stream(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const scores = labels.map((y) => Math.round((signal * y + next()) * 20) / 20);
  return { scores, labels };
}

describe('weightedAurocOf', () => {
  it('equals auroc on the resampled arrays, ties included', () => {
    const { scores, labels } = noisy(30, 0.5, 11);
    const of = weightedAurocOf(scores, labels);
    const next = stream(3);
    for (let trial = 0; trial < 20; trial++) {
      const counts = new Uint32Array(30);
      for (let i = 0; i < 30; i++) counts[Math.floor(next() * 30)]!++;
      const s: number[] = [];
      const y: number[] = [];
      counts.forEach((c, i) => {
        for (let k = 0; k < c; k++) {
          s.push(scores[i]!);
          y.push(labels[i]!);
        }
      });
      const expected = auroc(s, y);
      if (Number.isNaN(expected)) expect(of(counts)).toBeNaN();
      else expect(of(counts)).toBeCloseTo(expected, 12);
    }
  });
});

describe('aurocInterval', () => {
  it('contains the point estimate, narrows with n and repeats for a seed', () => {
    const small = noisy(40, 0.6, 1);
    const large = noisy(800, 0.6, 1);
    const a = aurocInterval(small.scores, small.labels, { seed: 9 });
    const b = aurocInterval(large.scores, large.labels, { seed: 9 });
    expect(a.value).toBe(auroc(small.scores, small.labels));
    for (const ci of [a, b]) {
      expect(ci.low).toBeLessThanOrEqual(ci.value);
      expect(ci.high).toBeGreaterThanOrEqual(ci.value);
    }
    expect(b.high - b.low).toBeLessThan((a.high - a.low) / 2);
    expect(aurocInterval(small.scores, small.labels, { seed: 9 })).toEqual(a);
  });

  it('skips and counts resamples with no positive drawn', () => {
    // One positive in 10 records: it is left out of (9/10)^10 ≈ 35 % of resamples.
    const scores = [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.95];
    const labels = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const ci = aurocInterval(scores, labels, { seed: 4 });
    expect(ci.skipped).toBeGreaterThan(280);
    expect(ci.skipped).toBeLessThan(420);
    expect(ci.value).toBeCloseTo(8 / 9, 12);
  });

  it('gives NaN bounds when the AUROC is undefined on the data', () => {
    expect(aurocInterval([0.2, 0.4], [1, 1])).toMatchObject({ low: Number.NaN, high: Number.NaN });
  });

  it('keeps low ≤ value ≤ high wherever the interval is defined (property)', () => {
    const seed = Number(process.env['HEARTLINE_PROPERTY_SEED'] ?? Date.now() % 2 ** 31);
    const records = fc.array(fc.record({ score: fc.integer({ min: 0, max: 8 }), positive: fc.boolean() }), {
      minLength: 2,
      maxLength: 60,
    });
    try {
      fc.assert(
        fc.property(records, fc.integer({ min: 0, max: 1000 }), (rows, bootSeed) => {
          const scores = rows.map((r) => r.score / 8);
          const labels = rows.map((r) => (r.positive ? 1 : 0));
          const ci = aurocInterval(scores, labels, { seed: bootSeed, draws: 200 });
          if (Number.isNaN(ci.low)) return;
          expect(ci.low).toBeLessThanOrEqual(ci.high);
          expect(ci.low).toBeLessThanOrEqual(ci.value + 1e-12);
          expect(ci.high).toBeGreaterThanOrEqual(ci.value - 1e-12);
          expect(ci.low).toBeGreaterThanOrEqual(0);
          expect(ci.high).toBeLessThanOrEqual(1);
        }),
        { seed, numRuns: 200 },
      );
    } catch (error) {
      throw new Error(
        `bootstrap AUROC property failed with seed ${seed} (HEARTLINE_PROPERTY_SEED=${seed} reruns it)`,
        { cause: error },
      );
    }
  });
});

describe('macroAurocIntervals', () => {
  it('shares resamples with the per-class intervals and skips resamples missing a counted class', () => {
    const n = 60;
    const a = noisy(n, 0.8, 2);
    const b = noisy(n, 0.2, 5);
    const scores = denseMatrix(
      a.scores.flatMap((s, i) => [s, b.scores[i]!, 0.5]),
      n,
      3,
    );
    // Class C has no positive at all: undefined, left out of the macro mean.
    const labels = denseMatrix(
      a.labels.flatMap((y, i) => [y, 1 - b.labels[i]!, 0]),
      n,
      3,
    );
    const ci = macroAurocIntervals(scores, labels, ['A', 'B', 'C'], { seed: 6 });
    expect(ci.perClass['A']).toEqual(aurocInterval(a.scores, a.labels, { seed: 6 }));
    expect(ci.perClass['C']!.low).toBeNaN();
    expect(ci.macro.value).toBeCloseTo((ci.perClass['A']!.value + ci.perClass['B']!.value) / 2, 12);
    expect(ci.macro.low).toBeLessThanOrEqual(ci.macro.value);
    expect(ci.macro.high).toBeGreaterThanOrEqual(ci.macro.value);
    expect(ci.macro.skipped).toBe(0);
  });
});
