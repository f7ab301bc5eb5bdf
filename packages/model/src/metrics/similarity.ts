import { InvalidArgumentError } from '../errors.js';
import type { DenseMatrix } from './matrix.js';

/**
 * Q × N matrix of dot products between Q row vectors `a` and N row vectors `b` (both flat, `dim` wide).
 * For L2-normalised embeddings (heartline's shared vectors) this is the cosine similarity; unnormalised
 * input is not rescaled, so normalise first. Float32 output, Float64 accumulation.
 */
export function cosineSimilarityMatrix(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): DenseMatrix {
  if (!Number.isInteger(dim) || dim < 1)
    throw new InvalidArgumentError('dim', dim, 'expected an integer ≥ 1');
  if (a.length % dim !== 0)
    throw new InvalidArgumentError('a.length', a.length, `expected a multiple of dim ${dim}`);
  if (b.length % dim !== 0)
    throw new InvalidArgumentError('b.length', b.length, `expected a multiple of dim ${dim}`);
  const rows = a.length / dim;
  const cols = b.length / dim;
  const out = new Float32Array(rows * cols);
  for (let q = 0; q < rows; q++) {
    const qa = q * dim;
    for (let n = 0; n < cols; n++) {
      const nb = n * dim;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += a[qa + k]! * b[nb + k]!;
      out[q * cols + n] = dot;
    }
  }
  return { data: out, rows, cols };
}

/** Scales a vector to unit L2 norm in place (a zero vector stays zero) and returns it. */
export function l2NormaliseInPlace<T extends Float32Array | Float64Array>(v: T): T {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  }
  return v;
}

/**
 * softmax(logits / temperature), computed stably (max subtracted). For zero-shot diagnosis, pass the
 * similarities of one ECG to each class prompt; a lower temperature sharpens the distribution.
 */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError('temperature', temperature, 'expected a finite number > 0');
  }
  const out = new Float64Array(logits.length);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i]! - max) / temperature);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}

/** Applies {@link softmax} to each row of a matrix (e.g. ECG × class-prompt similarities). */
export function softmaxRows(m: DenseMatrix, temperature = 1): DenseMatrix {
  const out = new Float64Array(m.rows * m.cols);
  const row = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) row[c] = m.data[r * m.cols + c]!;
    out.set(softmax(row, temperature), r * m.cols);
  }
  return { data: out, rows: m.rows, cols: m.cols };
}
