/**
 * Byte layouts of WFDB's uncompressed storage formats: how many bytes a run of samples takes and how
 * to unpack a run of samples from bytes. Format 8 yields raw first differences (the caller integrates).
 */

/** Storage formats this decoder unpacks. */
export const SUPPORTED_FORMATS: ReadonlySet<number> = new Set([8, 16, 24, 32, 61, 80, 160, 212, 310, 311]);

/** FLAC-compressed formats, recognised so the error can say what they are. */
export const FLAC_FORMATS: ReadonlySet<number> = new Set([508, 516, 524]);

/** The digital value WFDB uses to mark an invalid (missing) sample in `format`; undefined for format 8. */
export function invalidSampleValue(format: number): number | undefined {
  switch (format) {
    case 80:
      return -128;
    case 16:
    case 61:
    case 160:
      return -32768;
    case 212:
      return -2048;
    case 310:
    case 311:
      return -512;
    case 24:
      return -8388608;
    case 32:
      return -2147483648;
    default:
      return undefined;
  }
}

/** Bytes needed to hold the first `n` samples of a sample stream in `format`. */
export function bytesForSamples(format: number, n: number): number {
  switch (format) {
    case 8:
    case 80:
      return n;
    case 16:
    case 61:
    case 160:
      return 2 * n;
    case 24:
      return 3 * n;
    case 32:
      return 4 * n;
    case 212:
      return Math.floor(n / 2) * 3 + (n % 2) * 2;
    case 310:
      return Math.floor(n / 3) * 4 + [0, 2, 4][n % 3]!;
    case 311:
      return Math.floor(n / 3) * 4 + [0, 2, 3][n % 3]!;
    default:
      throw new RangeError(`format ${format} has no fixed byte layout`);
  }
}

/** Whole samples that `byteLength` bytes of a sample stream in `format` hold. */
export function samplesInBytes(format: number, byteLength: number): number {
  switch (format) {
    case 212: {
      const rest = byteLength % 3;
      return Math.floor(byteLength / 3) * 2 + (rest >= 2 ? 1 : 0);
    }
    case 310: {
      const rest = byteLength % 4;
      return Math.floor(byteLength / 4) * 3 + (rest >= 2 ? 1 : 0);
    }
    case 311: {
      const rest = byteLength % 4;
      return Math.floor(byteLength / 4) * 3 + (rest >= 3 ? 2 : rest >= 2 ? 1 : 0);
    }
    default:
      return Math.floor(byteLength / bytesForSamples(format, 1));
  }
}

/** Unpacks the first `count` samples of `bytes` (a sample stream in `format`) into `out[0..count)`. */
export function unpackSamples(format: number, bytes: Uint8Array, count: number, out: Int32Array): void {
  const b = bytes;
  switch (format) {
    case 8:
      for (let i = 0; i < count; i++) out[i] = (b[i]! << 24) >> 24;
      return;
    case 80:
      for (let i = 0; i < count; i++) out[i] = b[i]! - 128;
      return;
    case 16:
      for (let i = 0, j = 0; i < count; i++, j += 2) out[i] = ((b[j]! | (b[j + 1]! << 8)) << 16) >> 16;
      return;
    case 61:
      for (let i = 0, j = 0; i < count; i++, j += 2) out[i] = ((b[j + 1]! | (b[j]! << 8)) << 16) >> 16;
      return;
    case 160:
      for (let i = 0, j = 0; i < count; i++, j += 2) out[i] = (b[j]! | (b[j + 1]! << 8)) - 32768;
      return;
    case 24:
      for (let i = 0, j = 0; i < count; i++, j += 3)
        out[i] = ((b[j]! | (b[j + 1]! << 8) | (b[j + 2]! << 16)) << 8) >> 8;
      return;
    case 32:
      for (let i = 0, j = 0; i < count; i++, j += 4)
        out[i] = b[j]! | (b[j + 1]! << 8) | (b[j + 2]! << 16) | (b[j + 3]! << 24);
      return;
    case 212:
      unpack212(b, count, out);
      return;
    case 310:
      unpack310(b, count, out);
      return;
    case 311:
      unpack311(b, count, out);
      return;
    default:
      throw new RangeError(`format ${format} is not an uncompressed WFDB format`);
  }
}

// 212: two 12-bit samples in 3 bytes; byte 1 holds the high nibbles (low nibble → first sample).
function unpack212(b: Uint8Array, count: number, out: Int32Array): void {
  let j = 0;
  for (let i = 0; i < count; i += 2, j += 3) {
    const mid = b[j + 1]!;
    out[i] = ((b[j]! | ((mid & 0x0f) << 8)) << 20) >> 20;
    if (i + 1 < count) out[i + 1] = ((b[j + 2]! | ((mid & 0xf0) << 4)) << 20) >> 20;
  }
}

// 310: three 10-bit samples in two little-endian 16-bit words: bits 1–10 of each word hold the first two,
// the third is split over bits 11–15 of both (low five bits in the first word).
function unpack310(b: Uint8Array, count: number, out: Int32Array): void {
  let j = 0;
  for (let i = 0; i < count; i += 3, j += 4) {
    const w0 = b[j]! | (b[j + 1]! << 8);
    out[i] = ((w0 >> 1) << 22) >> 22;
    if (i + 1 < count) {
      const w1 = b[j + 2]! | (b[j + 3]! << 8);
      out[i + 1] = ((w1 >> 1) << 22) >> 22;
      if (i + 2 < count) out[i + 2] = (((w0 >> 11) | ((w1 >> 11) << 5)) << 22) >> 22;
    }
  }
}

// 311: three 10-bit samples in one little-endian 32-bit word at bits 0–9, 10–19 and 20–29.
function unpack311(b: Uint8Array, count: number, out: Int32Array): void {
  let j = 0;
  for (let i = 0; i < count; i += 3, j += 4) {
    const w = b[j]! | (b[j + 1]! << 8) | ((b[j + 2] ?? 0) << 16) | ((b[j + 3] ?? 0) << 24);
    out[i] = (w << 22) >> 22;
    if (i + 1 < count) out[i + 1] = ((w >> 10) << 22) >> 22;
    if (i + 2 < count) out[i + 2] = ((w >> 20) << 22) >> 22;
  }
}
