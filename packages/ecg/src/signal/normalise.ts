/**
 * How each lead is scaled: `zscore` subtracts the mean and divides by the standard deviation; `robust`
 * subtracts the median and divides by 1.4826 × the median absolute deviation (equal to the standard
 * deviation for Gaussian data, but not pulled by a few huge artefacts); `none` leaves values as they are.
 */
export type Normalisation = 'zscore' | 'robust' | 'none';

// A lead whose spread is below this (relative to its level, plus an absolute floor) counts as flat.
const FLAT_RELATIVE = 1e-7;
const FLAT_ABSOLUTE = 1e-12;

let scratch = new Float32Array(0);

// k-th smallest of a[0..n) by quickselect (Hoare partition); reorders a. Average O(n), no allocation.
function select(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function median(a: Float32Array, n: number): number {
  const upper = select(a, n, n >> 1);
  if (n % 2 === 1) return upper;
  // The lower middle is the largest value left of the upper middle after partitioning.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

/** Centre and scale of `x[start..start+length)` under a normalisation mode; scale 0 means flat. */
export function leadScale(
  x: Float32Array,
  mode: Normalisation,
  start = 0,
  length = x.length - start,
): { centre: number; scale: number } {
  if (mode === 'none' || length === 0) return { centre: 0, scale: 1 };
  let centre: number;
  let spread: number;
  if (mode === 'zscore') {
    let sum = 0;
    for (let i = start; i < start + length; i++) sum += x[i]!;
    centre = sum / length;
    let ss = 0;
    for (let i = start; i < start + length; i++) {
      const d = x[i]! - centre;
      ss += d * d;
    }
    spread = Math.sqrt(ss / length);
  } else {
    if (scratch.length < length) scratch = new Float32Array(length);
    scratch.set(x.subarray(start, start + length));
    centre = median(scratch, length);
    for (let i = 0; i < length; i++) scratch[i] = Math.abs(scratch[i]! - centre);
    spread = 1.4826 * median(scratch, length);
    // MAD is zero when over half the samples are identical (a mostly flat lead with spikes): fall back
    // to the standard deviation so such a lead still gets a finite, sensible scale.
    if (!(spread > FLAT_ABSOLUTE)) spread = leadScale(x, 'zscore', start, length).scale;
  }
  const flat = !(spread > FLAT_RELATIVE * Math.abs(centre) + FLAT_ABSOLUTE) || !Number.isFinite(spread);
  return { centre: Number.isFinite(centre) ? centre : 0, scale: flat ? 0 : spread };
}

/**
 * Normalises `x[start..start+length)` into `out` at the same offsets (in place when `out` is `x`). A flat
 * or non-finite lead becomes all zeros: the result never holds NaN or Infinity.
 */
export function normaliseLead(
  x: Float32Array,
  mode: Normalisation = 'zscore',
  out: Float32Array = x,
  start = 0,
  length = x.length - start,
): Float32Array {
  const { centre, scale } = leadScale(x, mode, start, length);
  const end = start + length;
  if (mode === 'none') {
    for (let i = start; i < end; i++) out[i] = Number.isFinite(x[i]!) ? x[i]! : 0;
    return out;
  }
  if (scale === 0) {
    out.fill(0, start, end);
    return out;
  }
  const inv = 1 / scale;
  for (let i = start; i < end; i++) {
    const v = (x[i]! - centre) * inv;
    out[i] = Number.isFinite(v) ? v : 0;
  }
  return out;
}
