import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SignalShapeError } from '../errors.js';
import { decodeWfdbRecord } from './decode.js';
import { parseWfdbHeader } from './header.js';
import { allChecksPass, verifyWfdbRecord } from './verify.js';
import { encodeWfdbRecord } from './write.js';

/** Deterministic test pattern within ±range, including both extremes. */
function pattern(n: number, range: number, phase: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(range * Math.sin(0.37 * i + phase));
  out[1] = range;
  out[2] = -range;
  return out;
}

describe('encodeWfdbRecord', () => {
  for (const format of [16, 212] as const) {
    it(`round-trips digital samples and checksums in format ${format} (odd sample total)`, () => {
      const range = format === 16 ? 32767 : 2047;
      const signals = [
        { name: 'I', units: 'mV', gain: 1000, digital: pattern(101, range, 0) },
        { name: 'lead II', units: 'mV', gain: 200, baseline: 5, adcZero: 3, digital: pattern(101, range, 1) },
        { name: 'V1', units: 'uV', gain: 1, digital: pattern(101, range, 2) },
      ];
      const encoded = encodeWfdbRecord({
        recordName: 'rt',
        sampleRate: 500,
        signals,
        comments: ['Dx: 164889003', 'Age: 61'],
        baseTime: '10:11:12',
        baseDate: '01/02/2003',
        format,
      });
      expect(encoded.dataFileName).toBe('rt.dat');
      const header = parseWfdbHeader(encoded.header, 'rt.hea');
      expect(header).toMatchObject({ recordName: 'rt', samplingFrequency: 500, sampleCount: 101 });
      expect(header.baseTime).toBe('10:11:12');
      expect(header.comments).toEqual(['Dx: 164889003', 'Age: 61']);
      expect(header.signals[1]).toMatchObject({
        format,
        adcGain: 200,
        baseline: 5,
        adcZero: 3,
        description: 'lead II',
      });
      const record = decodeWfdbRecord(header, new Map([[encoded.dataFileName, encoded.data]]));
      for (const [i, s] of signals.entries()) expect([...record.signals[i]!.digital]).toEqual([...s.digital]);
      expect(allChecksPass(verifyWfdbRecord(record))).toBe(true);
      // Checksum computed here independently: plain sum, then wrapped to signed 16 bits.
      const sum = signals[0]!.digital.reduce((a, b) => a + b, 0);
      const wrapped = (((sum % 65536) + 65536 + 32768) % 65536) - 32768;
      expect(header.signals[0]?.checksum).toBe(wrapped);
      expect(header.signals[0]?.initialValue).toBe(signals[0]!.digital[0]);
    });
  }

  it('writes format 212 bytes as the specification packs them', () => {
    const encoded = encodeWfdbRecord({
      recordName: 'p',
      sampleRate: 1,
      format: 212,
      signals: [{ name: 'a', units: 'mV', gain: 1, digital: Int16Array.from([0x123, -2, 5]) }],
    });
    // Pair (0x123, 0xffe) → 23 f1 fe; the lone last sample 0x005 → 05 00.
    expect([...encoded.data]).toEqual([0x23, 0xf1, 0xfe, 0x05, 0x00]);
  });

  it('rejects unequal lengths, a sample outside 212 range (2048) and a zero gain', () => {
    const one = (digital: Int16Array, gain = 1) => ({ name: 'a', units: 'mV', gain, digital });
    expect(() =>
      encodeWfdbRecord({
        recordName: 'x',
        sampleRate: 1,
        signals: [one(new Int16Array(2)), one(new Int16Array(3))],
      }),
    ).toThrow(SignalShapeError);
    expect(() =>
      encodeWfdbRecord({
        recordName: 'x',
        sampleRate: 1,
        format: 212,
        signals: [one(Int16Array.from([2048]))],
      }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      encodeWfdbRecord({ recordName: 'x', sampleRate: 1, signals: [one(new Int16Array(1), 0)] }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      encodeWfdbRecord({ recordName: 'a b', sampleRate: 1, signals: [one(new Int16Array(1))] }),
    ).toThrow(InvalidArgumentError);
  });
});
