import { describe, expect, it } from 'vitest';
import { WfdbDataError } from '../errors.js';
import { parseWfdbHeader } from './header.js';
import { WfdbRangeDecoder } from './range-decoder.js';
import { encodeWfdbRecord } from './write.js';

/** Decodes frames [start, start+count) through plan/decode, slicing the reads out of whole-file bytes. */
function readRange(decoder: WfdbRangeDecoder, files: Map<string, Uint8Array>, start: number, count: number) {
  const reads = decoder.plan(start, count);
  return decoder.decode(reads.map((r) => files.get(r.fileName)!.subarray(r.position, r.position + r.length)));
}

describe('WfdbRangeDecoder', () => {
  // 3 signals in format 212: a frame is 4.5 bytes, so odd frames start mid-byte.
  const n = 101;
  const signals = [0, 1, 2].map((c) => ({
    name: `s${c}`,
    units: 'mV',
    gain: 200,
    digital: Int16Array.from({ length: n }, (_, t) => ((t * 37 + c * 500) % 4000) - 2000),
  }));
  const encoded = encodeWfdbRecord({ recordName: 'r', sampleRate: 100, signals, format: 212 });
  const header = parseWfdbHeader(encoded.header, 'r.hea');
  const files = new Map([[encoded.dataFileName, encoded.data]]);
  const sizes = new Map([[encoded.dataFileName, encoded.data.length]]);

  it('returns the written samples for ranges starting on odd frames of a 3-signal 212 file', () => {
    const decoder = new WfdbRangeDecoder(header, sizes);
    expect(decoder.frameCount).toBe(n);
    for (const [start, count] of [
      [0, 101],
      [1, 7],
      [33, 1],
      [99, 2],
      [50, 0],
    ] as const) {
      const out = readRange(decoder, files, start, count);
      signals.forEach((s, c) => {
        expect(Array.from(out[c]!)).toEqual(Array.from(s.digital.subarray(start, start + count)));
      });
    }
  });

  it('applies skew and ends the record where the skewed signal runs out, as rdsamp does', () => {
    const skewed = parseWfdbHeader(encoded.header.replace(/(r\.dat 212)/, '$1:2'), 'r.hea');
    const decoder = new WfdbRangeDecoder(skewed, sizes);
    // 101 stored frames, skew 2: frames 99 and 100 would need stored frames 101 and 102.
    expect(decoder.frameCount).toBe(99);
    const out = readRange(decoder, files, 97, 2);
    expect(Array.from(out[0]!)).toEqual([signals[0]!.digital[99], signals[0]!.digital[100]]);
    expect(Array.from(out[1]!)).toEqual(Array.from(signals[1]!.digital.subarray(97, 99)));
    expect(() => decoder.plan(98, 2)).toThrow(RangeError);
  });

  it('integrates format 8 differences across sequential and restarted ranges', () => {
    // Initial value 10; differences 1, 2, -3, 4, 5 → 11, 13, 10, 14, 19.
    const h8 = parseWfdbHeader('d 1 10 5\nd.dat 8 200 8 0 10 0 0 x\n', 'd.hea');
    const data = Uint8Array.from([1, 2, 253, 4, 5]);
    const f = new Map([['d.dat', data]]);
    const decoder = new WfdbRangeDecoder(h8, new Map([['d.dat', 5]]));
    expect(Array.from(readRange(decoder, f, 0, 2)[0]!)).toEqual([11, 13]);
    expect(Array.from(readRange(decoder, f, 2, 3)[0]!)).toEqual([10, 14, 19]);
    expect(Array.from(readRange(decoder, f, 1, 2)[0]!)).toEqual([13, 10]);
  });

  it('names a missing signal file ("r.dat" absent from the sizes)', () => {
    expect(() => new WfdbRangeDecoder(header, new Map())).toThrow(WfdbDataError);
    expect(() => new WfdbRangeDecoder(header, new Map())).toThrow(
      /^r\.dat: signal file referenced by r\.hea/,
    );
  });
});
