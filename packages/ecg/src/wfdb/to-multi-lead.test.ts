import { describe, expect, it } from 'vitest';
import { SignalShapeError } from '../errors.js';
import { decodeWfdbRecord } from './decode.js';
import { parseWfdbHeader } from './header.js';
import { wfdbToMultiLeadSignal } from './to-multi-lead.js';

const bytes = new Map([['r.dat', Uint8Array.from([200, 0, 144, 1, 56, 255, 112, 254])]]); // 200, 400, -200, -400

describe('wfdbToMultiLeadSignal', () => {
  it('keeps raw lead names and physical samples, naming unnamed signals by index', () => {
    const record = decodeWfdbRecord(
      parseWfdbHeader('r 2 100 2\nr.dat 16 200 16 0 0 0 0 MLII\nr.dat 16 100\n'),
      bytes,
    );
    const signal = wfdbToMultiLeadSignal(record);
    expect(signal.sampleRate).toBe(100);
    expect(signal.leadNames).toEqual(['MLII', 'signal 1']);
    expect([...signal.leads[0]!]).toEqual([1, -1]);
    expect([...signal.leads[1]!]).toEqual([4, -4]);
  });

  it('throws SignalShapeError when signals run at different rates (16x2 beside 16)', () => {
    const record = decodeWfdbRecord(parseWfdbHeader('r 2 100 1\nr.dat 16x2\nr.dat 16\n'), bytes);
    expect(() => wfdbToMultiLeadSignal(record)).toThrow(SignalShapeError);
  });

  it('converts voltages to mV and marks NU signals normalised, keeping their values', () => {
    const record = decodeWfdbRecord(
      parseWfdbHeader('r 2 100 2\nr.dat 16 200/uV 16 0 0 0 0 I\nr.dat 16 100/NU 16 0 0 0 0 II\n'),
      bytes,
    );
    const signal = wfdbToMultiLeadSignal(record);
    expect(signal.units).toEqual(['mV', 'normalised']);
    expect([...signal.leads[0]!]).toEqual([Math.fround(0.001), Math.fround(-0.001)]);
    expect([...signal.leads[1]!]).toEqual([4, -4]);
  });
});
