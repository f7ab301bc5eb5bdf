import { InvalidArgumentError } from '../errors.js';

/** What happens to a tail shorter than a window: `drop` it, or `pad` it with zeros to a full window. */
export type PartialWindow = 'drop' | 'pad';

/** Start indices of the windows of `windowLength` samples every `hop` samples over `n` samples. */
export function windowStarts(
  n: number,
  windowLength: number,
  hop: number,
  partial: PartialWindow = 'drop',
): number[] {
  if (!Number.isInteger(windowLength) || windowLength < 1) {
    throw new InvalidArgumentError('windowLength', windowLength, 'must be a positive integer');
  }
  if (!Number.isInteger(hop) || hop < 1)
    throw new InvalidArgumentError('hop', hop, 'must be a positive integer');
  const starts: number[] = [];
  let s = 0;
  for (; s + windowLength <= n; s += hop) starts.push(s);
  const covered = starts.length === 0 ? 0 : starts[starts.length - 1]! + windowLength;
  // One padded window covers the uncovered tail; several would only repeat it with more padding.
  if (partial === 'pad' && covered < n) {
    const tail = starts.length === 0 ? 0 : s;
    if (tail < n) starts.push(tail);
  }
  return starts;
}

/**
 * Cuts equal-length leads into windows, lead-major within each window: element
 * `[w][lead][t]` is at `(w × leads + lead) × windowLength + t`. Padding is zeros.
 */
export function cutWindows(
  leads: readonly Float32Array[],
  windowLength: number,
  hop: number,
  partial: PartialWindow = 'drop',
): { windows: Float32Array; starts: number[] } {
  const n = leads[0]?.length ?? 0;
  const starts = windowStarts(n, windowLength, hop, partial);
  const windows = new Float32Array(starts.length * leads.length * windowLength);
  starts.forEach((start, w) => {
    const end = Math.min(start + windowLength, n);
    leads.forEach((lead, l) => {
      windows.set(lead.subarray(start, end), (w * leads.length + l) * windowLength);
    });
  });
  return { windows, starts };
}
