import { InvalidArgumentError } from '../errors.js';

/** A dense row-major matrix: `data[r * cols + c]`. Metrics take this so embeddings can stay in one typed array. */
export interface DenseMatrix {
  /** Row-major values, length `rows * cols`. */
  readonly data: ArrayLike<number>;
  /** Number of rows (samples, queries). */
  readonly rows: number;
  /** Number of columns (classes, features, gallery items). */
  readonly cols: number;
}

/** Wraps a flat row-major array as a {@link DenseMatrix}, checking that its length is `rows * cols`. */
export function denseMatrix(data: ArrayLike<number>, rows: number, cols: number): DenseMatrix {
  if (!Number.isInteger(rows) || rows < 0)
    throw new InvalidArgumentError('rows', rows, 'expected an integer ≥ 0');
  if (!Number.isInteger(cols) || cols < 0)
    throw new InvalidArgumentError('cols', cols, 'expected an integer ≥ 0');
  if (data.length !== rows * cols) {
    throw new InvalidArgumentError('data.length', data.length, `expected rows × cols = ${rows * cols}`);
  }
  return { data, rows, cols };
}

/** Copies equal-length rows (e.g. one Float32Array per embedding) into one Float64 {@link DenseMatrix}. */
export function matrixFromRows(rows: readonly ArrayLike<number>[], cols?: number): DenseMatrix {
  const width = cols ?? rows[0]?.length ?? 0;
  const data = new Float64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) {
      throw new InvalidArgumentError(
        `rows[${r}].length`,
        row.length,
        `expected ${width} like the other rows`,
      );
    }
    for (let c = 0; c < width; c++) data[r * width + c] = row[c]!;
  });
  return { data, rows: rows.length, cols: width };
}

/** Copies column `c` of a matrix into a new Float64Array. */
export function matrixColumn(m: DenseMatrix, c: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.data[r * m.cols + c]!;
  return out;
}

/** Throws unless two matrices have the same shape; `what` names them in the message. */
export function assertSameShape(a: DenseMatrix, b: DenseMatrix, what: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new InvalidArgumentError(
      what,
      `${b.rows}×${b.cols}`,
      `expected the same shape as ${a.rows}×${a.cols}`,
    );
  }
}
