import { describe, expect, it } from 'vitest';
import { WfdbHeaderError } from '../errors.js';
import { parseWfdbHeader } from './header.js';

/** Runs `fn`, expecting a WfdbHeaderError, and returns it. */
function headerError(fn: () => unknown): WfdbHeaderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WfdbHeaderError);
    return error as WfdbHeaderError;
  }
  throw new Error('expected a WfdbHeaderError');
}

describe('parseWfdbHeader', () => {
  it('reads the record line with counter frequency, base counter, time and date', () => {
    const h = parseWfdbHeader('rec 1 250/24000(12) 1000 15:08:24 01/02/2003\nrec.dat 16\n', 'rec.hea');
    expect(h.recordName).toBe('rec');
    expect(h.signalCount).toBe(1);
    expect(h.samplingFrequency).toBe(250);
    expect(h.counterFrequency).toBe(24000);
    expect(h.baseCounter).toBe(12);
    expect(h.sampleCount).toBe(1000);
    expect(h.baseTime).toBe('15:08:24');
    expect(h.baseDate).toBe('01/02/2003');
    expect(h.segmentCount).toBeUndefined();
  });

  it('applies the WFDB defaults when the record line stops after the signal count', () => {
    const h = parseWfdbHeader('rec 0\n');
    expect(h.samplingFrequency).toBe(250);
    expect(h.counterFrequency).toBe(250);
    expect(h.sampleCount).toBeUndefined();
    expect(h.baseTime).toBeUndefined();
    expect(h.signals).toEqual([]);
  });

  it('reads format suffixes, gain with baseline and units, and a description with spaces', () => {
    const h = parseWfdbHeader('r 1 500 10\nr.mat 16x2:3+24 12.5(-7)/mmHg 12 5 -3 1234 0 ECG lead II \n');
    const s = h.signals[0]!;
    expect(s).toMatchObject({
      fileName: 'r.mat',
      format: 16,
      samplesPerFrame: 2,
      skew: 3,
      byteOffset: 24,
      adcGain: 12.5,
      uncalibrated: false,
      baseline: -7,
      units: 'mmHg',
      adcResolution: 12,
      adcZero: 5,
      initialValue: -3,
      initialValueSpecified: true,
      checksum: 1234,
      blockSize: 0,
      description: 'ECG lead II',
    });
  });

  it('fills omitted signal fields with the specification defaults', () => {
    // Only file name and format: gain 200 (uncalibrated), baseline = ADC zero = 0, units mV, 12 bits.
    const s = parseWfdbHeader('r 2\nr.dat 212\nr.dat 212 0 0 1024\n').signals;
    expect(s[0]).toMatchObject({
      adcGain: 200,
      uncalibrated: true,
      baseline: 0,
      units: 'mV',
      adcResolution: 12,
      adcZero: 0,
      initialValue: 0,
      initialValueSpecified: false,
      checksum: undefined,
      description: '',
    });
    // Gain written as 0 is uncalibrated too; a zero resolution takes the format default; baseline = ADC zero.
    expect(s[1]).toMatchObject({
      adcGain: 200,
      uncalibrated: true,
      adcResolution: 12,
      adcZero: 1024,
      baseline: 1024,
    });
  });

  it('parses scientific-notation gains and takes format-specific default resolutions', () => {
    const h = parseWfdbHeader('r 3\nr.dat 311 1.052e+04/mV\ns.dat 80 -19.3(3064)/degC\nt.dat 160\n');
    expect(h.signals.map((s) => s.adcGain)).toEqual([10520, -19.3, 200]);
    expect(h.signals.map((s) => s.adcResolution)).toEqual([10, 8, 16]);
    expect(h.signals[1]?.baseline).toBe(3064);
  });

  it('keeps comments from before, between and after the signal lines in order and skips blank lines', () => {
    const text = '# first\nr 2 360 5\n\nr.dat 212\n#  Dx: 164889003 \n\nr.dat 212\n##<SPL>: 95\n';
    const h = parseWfdbHeader(text);
    expect(h.comments).toEqual(['first', 'Dx: 164889003', '<SPL>: 95']);
    expect(h.signals).toHaveLength(2);
  });

  it('parses a multi-segment header into a segment list with null segments', () => {
    const h = parseWfdbHeader('multi/3 4 125 5750 16:57:09\nlayout 0\n~ 3750\nseg_1 2000\n# note\n');
    expect(h.segmentCount).toBe(3);
    expect(h.signalCount).toBe(4);
    expect(h.signals).toEqual([]);
    expect(h.segments).toEqual([
      { recordName: 'layout', sampleCount: 0 },
      { recordName: '~', sampleCount: 3750 },
      { recordName: 'seg_1', sampleCount: 2000 },
    ]);
    expect(h.comments).toEqual(['note']);
  });

  it('accepts CRLF line endings', () => {
    expect(parseWfdbHeader('r 1 100 3\r\nr.dat 16 100/mV\r\n').signals[0]?.units).toBe('mV');
  });

  it('rejects a record line with only a name, naming source and line', () => {
    const e = headerError(() => parseWfdbHeader('# c\nrec\n', 'rec.hea'));
    expect(e.source).toBe('rec.hea');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^rec\.hea: header line 2: .*too few fields/);
  });

  it('rejects a signal line with only a file name (no format)', () => {
    const e = headerError(() => parseWfdbHeader('r 1 100\nr.dat\n', 'r.hea'));
    expect(e.line).toBe(2);
    expect(e.message).toContain('too few fields');
  });

  it('rejects a header whose signal count disagrees with its signal lines (too few and too many)', () => {
    const few = headerError(() => parseWfdbHeader('r 3 100\nr.dat 16\nr.dat 16\n', 'r.hea'));
    expect(few.message).toContain('declares 3 signals but the header has 2 signal lines');
    const many = headerError(() => parseWfdbHeader('r 1 100\nr.dat 16\nr.dat 16\n', 'r.hea'));
    expect(many.line).toBe(3);
    expect(many.message).toContain('declares 1 signals but the header has 2');
  });

  it('rejects a non-numeric gain ("abc/mV")', () => {
    const e = headerError(() => parseWfdbHeader('r 1 100\nr.dat 16 abc/mV\n', 'bad-gain.hea'));
    expect(e.message).toMatch(/^bad-gain\.hea: header line 2: ADC gain 'abc\/mV'/);
  });

  it('rejects malformed numbers: format "16y", signal count "two", sampling rate "fast", ADC zero "1.5"', () => {
    expect(headerError(() => parseWfdbHeader('r 1\nr.dat 16y\n')).message).toContain("format field '16y'");
    expect(headerError(() => parseWfdbHeader('r two\n')).message).toContain("signal count 'two'");
    expect(headerError(() => parseWfdbHeader('r 1 fast\nr.dat 16\n')).message).toContain(
      'sampling frequency',
    );
    expect(headerError(() => parseWfdbHeader('r 1 100\nr.dat 16 200 12 1.5\n')).message).toContain(
      "ADC zero '1.5'",
    );
  });

  it('rejects an empty header and a multi-segment header with a missing segment line', () => {
    expect(headerError(() => parseWfdbHeader('# only a comment\n')).message).toContain('no record line');
    expect(headerError(() => parseWfdbHeader('m/2 1 100 10\na 5\n')).message).toContain(
      'declares 2 segments',
    );
  });
});
