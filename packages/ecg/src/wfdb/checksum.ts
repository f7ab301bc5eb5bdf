/**
 * WFDB's per-signal checksum: the sum of all digital samples wrapped to 16 bits. Headers write it
 * signed (`-22131`) or unsigned (`43172`), so comparisons work modulo 2^16.
 */

/** The 16-bit wrap-around sum of `samples`, as the signed value WFDB tools write. */
export function wfdbChecksum(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    // Wrap every step so the running sum stays an exact small integer whatever the length.
    sum = (sum + (samples[i] as number)) & 0xffff;
  }
  return sum >= 0x8000 ? sum - 0x10000 : sum;
}

/** Whether two checksums are equal modulo 2^16 (one may be written signed, the other unsigned). */
export function sameChecksum(a: number, b: number): boolean {
  return ((a - b) & 0xffff) === 0;
}
