import { describe, expect, it } from 'vitest';
import { WfdbDataError, WfdbUnsupportedError } from '../errors.js';
import { decodeWfdbRecord } from './decode.js';
import { parseWfdbHeader } from './header.js';

/** Little-endian int16 bytes of `values`. */
function int16Bytes(values: number[], prefix = 0): Uint8Array {
  const out = new Uint8Array(prefix + values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setInt16(prefix + i * 2, v, true);
  });
  return out;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('decodeWfdbRecord', () => {
  it('de-interleaves two signals and converts to physical units with gain and baseline', () => {
    const header = parseWfdbHeader('r 2 100 3\nr.dat 16 100(10)/mV\nr.dat 16 50/uV\n');
    const record = decodeWfdbRecord(header, new Map([['r.dat', int16Bytes([10, 0, 110, 50, -90, -50])]]));
    expect(record.frameCount).toBe(3);
    expect([...record.signals[0]!.digital]).toEqual([10, 110, -90]);
    expect([...record.signals[1]!.digital]).toEqual([0, 50, -50]);
    expect([...record.signals[0]!.physical]).toEqual([0, 1, -1]);
    expect([...record.signals[1]!.physical]).toEqual([0, 1, -1]);
  });

  it('reads multi-frequency frames (samples per frame) and skips the byte offset', () => {
    // Frame = 2 samples of A then 1 of B; 4 junk bytes first (like a .mat prologue).
    const header = parseWfdbHeader('r 2 10 2\nr.mat 16x2+4\nr.mat 16+4\n');
    const bytes = int16Bytes([1, 2, 100, 3, 4, 200], 4);
    bytes.set([9, 9, 9, 9], 0);
    const record = decodeWfdbRecord(header, new Map([['r.mat', bytes]]));
    expect([...record.signals[0]!.digital]).toEqual([1, 2, 3, 4]);
    expect([...record.signals[1]!.digital]).toEqual([100, 200]);
    expect(record.signals[0]!.sampleRate).toBe(20);
    expect(record.signals[1]!.sampleRate).toBe(10);
  });

  it('shifts a skewed signal and ends the record at the last frame every signal has, as rdsamp does', () => {
    const header = parseWfdbHeader('r 2 10 3\nr.dat 16\nr.dat 16:1\n');
    const files = new Map([['r.dat', int16Bytes([1, 10, 2, 20, 3, 30])]]);
    const skewed = decodeWfdbRecord(header, files);
    expect(skewed.frameCount).toBe(2);
    expect([...skewed.signals[0]!.digital]).toEqual([1, 2]);
    expect([...skewed.signals[1]!.digital]).toEqual([20, 30]);
    const stored = decodeWfdbRecord(header, files, { applySkew: false });
    expect([...stored.signals[1]!.digital]).toEqual([10, 20, 30]);
  });

  it('reads signals from several files, each with its own format', () => {
    const header = parseWfdbHeader('r 2 10 2\na.dat 80\nb.dat 212\n');
    const files = new Map([
      ['a.dat', Uint8Array.from([128 + 5, 128 - 5])],
      ['b.dat', Uint8Array.from([0x23, 0xf1, 0xfe])],
    ]);
    const record = decodeWfdbRecord(header, (name) => files.get(name));
    expect([...record.signals[0]!.digital]).toEqual([5, -5]);
    expect([...record.signals[1]!.digital]).toEqual([0x123, -2]);
  });

  it('integrates format 8 differences from the initial value', () => {
    const header = parseWfdbHeader('r 1 10 3\nr.dat 8 200 12 0 100\n');
    const record = decodeWfdbRecord(header, new Map([['r.dat', Uint8Array.from([0, 3, 0xfe])]]));
    expect([...record.signals[0]!.digital]).toEqual([100, 103, 101]);
  });

  it('derives the sample count from the file size when the header omits it', () => {
    const header = parseWfdbHeader('r 2 10\nr.dat 212\nr.dat 212\n');
    // 7 bytes of 212 hold 4 samples (two whole pairs) and one byte too few for a fifth: 2 frames.
    const record = decodeWfdbRecord(header, new Map([['r.dat', new Uint8Array(7)]]));
    expect(record.frameCount).toBe(2);
  });

  it('marks WFDB invalid values as NaN in physical units', () => {
    const header = parseWfdbHeader('r 1 10 2\nr.dat 16 200\n');
    const record = decodeWfdbRecord(header, new Map([['r.dat', int16Bytes([-32768, 200])]]));
    expect(Number.isNaN(record.signals[0]!.physical[0])).toBe(true);
    expect(record.signals[0]!.physical[1]).toBe(1);
  });

  it('throws WfdbDataError naming the file when a .dat is truncated (header says 3 frames, file holds 2)', () => {
    const header = parseWfdbHeader('r 1 10 3\nr.dat 16\n', 'r.hea');
    const error = thrown(() => decodeWfdbRecord(header, new Map([['r.dat', int16Bytes([1, 2])]])));
    expect(error).toBeInstanceOf(WfdbDataError);
    expect((error as WfdbDataError).source).toBe('r.dat');
    expect((error as Error).message).toMatch(/^r\.dat: truncated: r\.hea says 3 frames/);
  });

  it('throws WfdbDataError naming the file when a signal file is missing', () => {
    const header = parseWfdbHeader('r 1 10 3\ngone.dat 16\n', 'r.hea');
    const error = thrown(() => decodeWfdbRecord(header, new Map()));
    expect(error).toBeInstanceOf(WfdbDataError);
    expect((error as Error).message).toBe('gone.dat: signal file referenced by r.hea is missing');
  });

  it('throws WfdbUnsupportedError for unknown format 999, format 0, FLAC 516 and multi-segment records', () => {
    const cases: [string, RegExp][] = [
      ['r 1 10 3\nr.dat 999\n', /unknown format 999 in signal file r\.dat is not supported/],
      ['r 1 10 0\n~ 0\n', /format 0/],
      ['r 1 10 3\nr.dat 516\n', /FLAC-compressed format 516/],
      [
        'm/2 1 10 6\na 3\nb 3\n',
        /decoding multi-segment layouts \(record '\w+' has \d segments\) is not supported/,
      ],
    ];
    for (const [text, message] of cases) {
      const error = thrown(() => decodeWfdbRecord(parseWfdbHeader(text, 'x.hea'), new Map()));
      expect(error, text).toBeInstanceOf(WfdbUnsupportedError);
      expect((error as Error).message, text).toMatch(message);
      expect((error as Error).message, text).toMatch(/^x\.hea: /);
    }
  });
});
