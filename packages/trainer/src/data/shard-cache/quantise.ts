/**
 * Windows are stored as int16 with one float32 scale per (example, lead): `x ≈ q × scale` with
 * `scale = max|x| / 32767`. The rounding error of a sample is at most `scale / 2`, i.e. 1/65534 of that
 * lead's peak (about 5e-4 for a z-scored lead whose peak is 30 standard deviations), half the bytes of
 * float32 and well below the model's input noise. An all-zero lead (masked or missing) has scale 0.
 */

/** Largest stored magnitude; −32768 is left unused so the code range is symmetric. */
export const INT16_PEAK = 32767;

/**
 * Quantises `leads` rows of `length` samples from `source` into `codes` (same layout) and writes one
 * scale per row into `scales`.
 */
export function quantiseRows(
  source: Float32Array,
  leads: number,
  length: number,
  codes: Int16Array,
  scales: Float32Array,
): void {
  for (let lead = 0; lead < leads; lead++) {
    const from = lead * length;
    let peak = 0;
    for (let i = from; i < from + length; i++) {
      const a = Math.abs(source[i]!);
      if (a > peak) peak = a;
    }
    // The stored (float32) scale is the one decoding uses, so codes are computed against it.
    const scale = Math.fround(peak / INT16_PEAK);
    scales[lead] = scale;
    if (scale === 0 || !Number.isFinite(scale)) {
      codes.fill(0, from, from + length);
      scales[lead] = 0;
      continue;
    }
    for (let i = from; i < from + length; i++) {
      codes[i] = Math.max(-INT16_PEAK, Math.min(INT16_PEAK, Math.round(source[i]! / scale)));
    }
  }
}

/** Decodes `leads` rows of `length` int16 codes with their scales into `out` starting at `offset`. */
export function dequantiseRows(
  codes: Int16Array,
  scales: Float32Array,
  leads: number,
  length: number,
  out: Float32Array,
  offset: number,
): void {
  for (let lead = 0; lead < leads; lead++) {
    const scale = scales[lead]!;
    const from = lead * length;
    const to = offset + from;
    for (let i = 0; i < length; i++) out[to + i] = codes[from + i]! * scale;
  }
}
