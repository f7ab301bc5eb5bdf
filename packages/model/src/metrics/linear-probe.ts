import { InvalidArgumentError } from '../errors.js';
import { minimiseLbfgs } from './lbfgs.js';
import type { DenseMatrix } from './matrix.js';

/** Options of {@link fitLinearProbe}. */
export interface LinearProbeOptions {
  /**
   * L2 penalty λ on the weights (not the bias) of each class's objective, mean log-loss + λ/2·‖w‖²,
   * in standardised feature units. Default 1e-2; raise it for tiny label budgets (1 %). Range ≥ 0
   * (0 only for data that is not linearly separable, else the weights grow until the iteration cap).
   */
  readonly l2?: number;
  /** L-BFGS iteration cap per class. Default 500. */
  readonly maxIterations?: number;
  /** Gradient tolerance (max-norm) per class. Default 1e-6. */
  readonly tolerance?: number;
}

/** A fitted one-vs-rest logistic regression over standardised features. */
export interface LinearProbe {
  /** Feature count d. */
  readonly dim: number;
  /** Class count C. */
  readonly classes: number;
  /** C × d weights on standardised features, row-major. */
  readonly weights: Float64Array;
  /** One bias per class. */
  readonly bias: Float64Array;
  /** Training mean and scale (population std; 1 for a constant feature) per feature. */
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** Per class: 1 when its training labels were all equal (constant prediction, no fit). */
  readonly degenerate: Uint8Array;
  /** Per class: L-BFGS iterations used. */
  readonly iterations: Uint32Array;
  /** n × C probabilities for new rows (d columns). */
  predict(x: DenseMatrix): DenseMatrix;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Fits one L2-regularised logistic regression per label column (one-vs-rest, multi-label) on features
 * standardised with the training mean and std, by full-batch L-BFGS: deterministic, and for d ≤ 256,
 * n ≤ a few thousand it takes tens of milliseconds per class. A class whose training labels are all equal
 * gets a constant prediction (its smoothed prevalence) and is flagged in `degenerate`.
 */
export function fitLinearProbe(
  x: DenseMatrix,
  y: DenseMatrix,
  options: LinearProbeOptions = {},
): LinearProbe {
  const l2 = options.l2 ?? 1e-2;
  if (!(l2 >= 0) || !Number.isFinite(l2))
    throw new InvalidArgumentError('l2', l2, 'expected a finite number ≥ 0');
  if (y.rows !== x.rows) throw new InvalidArgumentError('Y.rows', y.rows, `expected ${x.rows} like X`);
  if (x.rows === 0) throw new InvalidArgumentError('X.rows', 0, 'expected at least one training row');
  const n = x.rows;
  const d = x.cols;
  const classes = y.cols;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] = mean[k]! + x.data[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k] = mean[k]! / n;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const dev = x.data[i * d + k]! - mean[k]!;
      scale[k] = scale[k]! + dev * dev;
    }
  }
  for (let k = 0; k < d; k++) {
    const std = Math.sqrt(scale[k]! / n);
    scale[k] = std > 1e-12 ? std : 1;
  }
  const xs = standardise(x, mean, scale);
  const weights = new Float64Array(classes * d);
  const bias = new Float64Array(classes);
  const degenerate = new Uint8Array(classes);
  const iterations = new Uint32Array(classes);
  const target = new Float64Array(n);
  for (let c = 0; c < classes; c++) {
    let positives = 0;
    for (let i = 0; i < n; i++) {
      target[i] = y.data[i * classes + c]! !== 0 ? 1 : 0;
      positives += target[i]!;
    }
    if (positives === 0 || positives === n) {
      degenerate[c] = 1;
      bias[c] = Math.log((positives + 0.5) / (n - positives + 0.5));
      continue;
    }
    const result = minimiseLbfgs(
      (theta, grad) => logisticObjective(xs, n, d, target, l2, theta, grad),
      new Float64Array(d + 1),
      {
        ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
        ...(options.tolerance === undefined ? {} : { gradientTolerance: options.tolerance }),
      },
    );
    weights.set(result.x.subarray(0, d), c * d);
    bias[c] = result.x[d]!;
    iterations[c] = result.iterations;
  }
  return {
    dim: d,
    classes,
    weights,
    bias,
    mean,
    scale,
    degenerate,
    iterations,
    predict(input: DenseMatrix): DenseMatrix {
      if (input.cols !== d) throw new InvalidArgumentError('X.cols', input.cols, `expected ${d} features`);
      const z = standardise(input, mean, scale);
      const out = new Float64Array(input.rows * classes);
      for (let i = 0; i < input.rows; i++) {
        for (let c = 0; c < classes; c++) {
          let s = bias[c]!;
          for (let k = 0; k < d; k++) s += z[i * d + k]! * weights[c * d + k]!;
          out[i * classes + c] = sigmoid(s);
        }
      }
      return { data: out, rows: input.rows, cols: classes };
    },
  };
}

function standardise(x: DenseMatrix, mean: Float64Array, scale: Float64Array): Float64Array {
  const d = x.cols;
  const out = new Float64Array(x.rows * d);
  for (let i = 0; i < x.rows; i++) {
    for (let k = 0; k < d; k++) out[i * d + k] = (x.data[i * d + k]! - mean[k]!) / scale[k]!;
  }
  return out;
}

/** Mean log-loss + λ/2·‖w‖² and its gradient; θ = [w (d), b]. One pass over the data for both. */
function logisticObjective(
  xs: Float64Array,
  n: number,
  d: number,
  y: Float64Array,
  l2: number,
  theta: Float64Array,
  grad: Float64Array,
): number {
  grad.fill(0);
  let loss = 0;
  let gb = 0;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let z = theta[d]!;
    for (let k = 0; k < d; k++) z += xs[row + k]! * theta[k]!;
    loss += softplus(z) - y[i]! * z;
    const r = sigmoid(z) - y[i]!;
    gb += r;
    for (let k = 0; k < d; k++) grad[k] = grad[k]! + r * xs[row + k]!;
  }
  let penalty = 0;
  for (let k = 0; k < d; k++) {
    grad[k] = grad[k]! / n + l2 * theta[k]!;
    penalty += theta[k]! * theta[k]!;
  }
  grad[d] = gb / n;
  return loss / n + 0.5 * l2 * penalty;
}
