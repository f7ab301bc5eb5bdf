import { describe, expect, it } from 'vitest';
import { bytesForSamples, invalidSampleValue, samplesInBytes, unpackSamples } from './formats.js';

function unpack(format: number, bytes: number[], count: number): number[] {
  const out = new Int32Array(count);
  unpackSamples(format, Uint8Array.from(bytes), count, out);
  return [...out];
}

describe('unpackSamples', () => {
  it('reads format 16 as little-endian two’s complement', () => {
    expect(unpack(16, [0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f], 4)).toEqual([1, -1, -32768, 32767]);
  });

  it('reads format 61 as big-endian and 160 as offset binary', () => {
    expect(unpack(61, [0x00, 0x01, 0xff, 0xfe], 2)).toEqual([1, -2]);
    expect(unpack(160, [0x00, 0x80, 0x00, 0x00, 0xff, 0xff], 3)).toEqual([0, -32768, 32767]);
  });

  it('reads format 80 as offset binary bytes and 8 as signed differences', () => {
    expect(unpack(80, [128, 0, 255], 3)).toEqual([0, -128, 127]);
    expect(unpack(8, [1, 0xff, 0x80], 3)).toEqual([1, -1, -128]);
  });

  it('reads formats 24 and 32 as little-endian two’s complement', () => {
    expect(unpack(24, [0x01, 0x02, 0x03, 0xff, 0xff, 0xff], 2)).toEqual([0x030201, -1]);
    expect(unpack(32, [0x04, 0x03, 0x02, 0x81], 1)).toEqual([0x81020304 | 0]);
  });

  it('reads format 212 pairs, including an odd final sample in two bytes', () => {
    // 0x123 and -2 (0xffe): byte0 = 0x23, byte1 = high nibbles (0xf << 4 | 0x1), byte2 = 0xfe.
    expect(unpack(212, [0x23, 0xf1, 0xfe, 0x00, 0x08], 3)).toEqual([0x123, -2, -2048]);
  });

  it('reads format 310 triplets from two 16-bit words', () => {
    // Samples a = 5, b = -3 (0x3fd), c = 0x2a5 (-347): word0 = a<<1 | (c & 0x1f)<<11, word1 = b<<1 | (c >> 5)<<11.
    const a = 5;
    const b = 0x3fd;
    const c = 0x2a5;
    const w0 = (a << 1) | ((c & 0x1f) << 11);
    const w1 = (b << 1) | ((c >> 5) << 11);
    expect(unpack(310, [w0 & 0xff, w0 >> 8, w1 & 0xff, w1 >> 8], 3)).toEqual([5, -3, 0x2a5 - 1024]);
  });

  it('reads format 311 triplets from one 32-bit word', () => {
    const w = (7 | (0x3ff << 10) | (0x200 << 20)) >>> 0; // 7, -1, -512
    expect(unpack(311, [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24], 3)).toEqual([7, -1, -512]);
  });
});

describe('bytesForSamples and samplesInBytes', () => {
  it('agree with the packed layouts, including partial groups', () => {
    expect(bytesForSamples(212, 3)).toBe(5);
    expect(bytesForSamples(310, 1018)).toBe(1358);
    expect(bytesForSamples(311, 1019)).toBe(1359);
    expect(bytesForSamples(24, 4)).toBe(12);
    for (const format of [8, 16, 24, 32, 61, 80, 160, 212, 310, 311]) {
      for (let n = 0; n < 10; n++) {
        // In 310 the second sample of a group sits in the second word, which also completes the third.
        const expected = format === 310 && n % 3 === 2 ? n + 1 : n;
        expect(samplesInBytes(format, bytesForSamples(format, n))).toBe(expected);
      }
    }
  });

  it('names the invalid sample value of each format', () => {
    expect(invalidSampleValue(16)).toBe(-32768);
    expect(invalidSampleValue(212)).toBe(-2048);
    expect(invalidSampleValue(310)).toBe(-512);
    expect(invalidSampleValue(8)).toBeUndefined();
  });
});
