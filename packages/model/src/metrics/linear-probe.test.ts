import { describe, expect, it } from 'vitest';
import { auroc } from './auroc.js';
import { fitLinearProbe } from './linear-probe.js';
import { denseMatrix, matrixColumn } from './matrix.js';

/** Solves λw = σ(−w) (the optimum of the symmetric two-point problem below) by bisection. */
function solveSymmetric(l2: number): number {
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 200; i++) {
    const w = (lo + hi) / 2;
    if (l2 * w - 1 / (1 + Math.exp(w)) > 0) hi = w;
    else lo = w;
  }
  return (lo + hi) / 2;
}

describe('fitLinearProbe', () => {
  it('recovers the maximum-likelihood weight of a non-separable two-point problem', () => {
    // x = −1: labels 0,0,1; x = +1: labels 1,1,0. Standardised x is still ±1 (mean 0, std 1).
    // By symmetry b = 0 and P(y=1 | x=1) = 2/3, so w = logit(2/3) = ln 2.
    const x = denseMatrix([-1, -1, -1, 1, 1, 1], 6, 1);
    const y = denseMatrix([0, 0, 1, 1, 1, 0], 6, 1);
    const probe = fitLinearProbe(x, y, { l2: 0, tolerance: 1e-10 });
    expect(probe.weights[0]).toBeCloseTo(Math.LN2, 6);
    expect(probe.bias[0]).toBeCloseTo(0, 6);
    expect(probe.predict(denseMatrix([1], 1, 1)).data[0]).toBeCloseTo(2 / 3, 6);
  });

  it('matches the closed-form optimum λw = σ(−w) of a regularised separable pair', () => {
    // x = −1 → 0, x = +1 → 1; gradient of mean log-loss is −σ(−w), so the optimum solves λw = σ(−w).
    const l2 = 0.1;
    const probe = fitLinearProbe(denseMatrix([-1, 1], 2, 1), denseMatrix([0, 1], 2, 1), {
      l2,
      tolerance: 1e-12,
    });
    expect(probe.weights[0]).toBeCloseTo(solveSymmetric(l2), 6);
  });

  it('fits the prevalence through the bias when the features are constant', () => {
    // A constant feature standardises to 0, so the optimum is b = logit(mean y) = logit(1/4).
    const probe = fitLinearProbe(denseMatrix([5, 5, 5, 5], 4, 1), denseMatrix([1, 0, 0, 0], 4, 1), {
      tolerance: 1e-10,
    });
    expect(probe.bias[0]).toBeCloseTo(Math.log(1 / 3), 6);
  });

  it('separates a linearly separable multi-label toy set', () => {
    // Class 0 depends on feature 0 > 0, class 1 on feature 1 > 0; feature 2 is noise. Features 0 and 1
    // keep a margin of 0.1 around 0, so a lightly regularised fit must classify every row at 0.5.
    const n = 200;
    const xs: number[] = [];
    const ys: number[] = [];
    let seed = 3;
    const next = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    for (let i = 0; i < n; i++) {
      const margin = (u: number) => Math.sign(u) * (0.1 + Math.abs(u));
      const f = [margin(next()), margin(next()), next()];
      xs.push(...f);
      ys.push(f[0]! > 0 ? 1 : 0, f[1]! > 0 ? 1 : 0);
    }
    const x = denseMatrix(xs, n, 3);
    const y = denseMatrix(ys, n, 2);
    const probe = fitLinearProbe(x, y, { l2: 1e-3 });
    const p = probe.predict(x);
    for (let c = 0; c < 2; c++) {
      const labels = matrixColumn(y, c);
      const scores = matrixColumn(p, c);
      expect(auroc(scores, labels)).toBe(1);
      let errors = 0;
      for (let i = 0; i < n; i++) if (scores[i]! >= 0.5 !== (labels[i] === 1)) errors++;
      expect(errors).toBe(0);
    }
    expect(probe.degenerate).toEqual(new Uint8Array([0, 0]));
  });

  it('flags a class with only one label value and predicts its smoothed prevalence', () => {
    const probe = fitLinearProbe(denseMatrix([0, 1, 2], 3, 1), denseMatrix([0, 0, 0], 3, 1));
    expect(probe.degenerate[0]).toBe(1);
    // (0 + 0.5) / (3 + 1) = 1/8.
    expect(probe.predict(denseMatrix([7], 1, 1)).data[0]).toBeCloseTo(1 / 8, 12);
  });

  it('fits a 256-feature, 3,000-row problem whose label is a linear rule of four features', () => {
    const n = 3000;
    const d = 256;
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n);
    let seed = 11;
    for (let i = 0; i < n * d; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      x[i] = seed / 2 ** 32 - 0.5;
    }
    for (let i = 0; i < n; i++)
      y[i] = x[i * d]! + x[i * d + 1]! - x[i * d + 2]! + 0.3 * (x[i * d + 3]! - 0.0) > 0 ? 1 : 0;
    const probe = fitLinearProbe(denseMatrix(x, n, d), denseMatrix(y, n, 1), { l2: 1e-2 });
    expect(probe.iterations[0]).toBeLessThan(500); // converged before the cap
    expect(auroc(probe.predict(denseMatrix(x, n, d)).data, y)).toBeGreaterThan(0.99);
  });

  it('rejects a negative L2 penalty', () => {
    // Input tried: l2 = −1.
    expect(() => fitLinearProbe(denseMatrix([0], 1, 1), denseMatrix([1], 1, 1), { l2: -1 })).toThrow(/l2/);
  });
});
