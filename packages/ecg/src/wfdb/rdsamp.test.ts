import { describe, expect, it } from 'vitest';
import { parseWfdbHeader } from './header.js';
import { SAMPLE_GAP } from './range-decoder.js';
import { formatFixed3, formatRdsampRows, frameSample } from './rdsamp.js';

describe('formatFixed3', () => {
  it('rounds exact binary ties half to even like printf("%.3f") (3/16 → 0.188, 1/16 → 0.062)', () => {
    expect(formatFixed3(3 / 16)).toBe('0.188');
    expect(formatFixed3(1 / 16)).toBe('0.062');
    expect(formatFixed3(-1 / 16)).toBe('-0.062');
    expect(formatFixed3(-3 / 16)).toBe('-0.188');
  });
  it('formats ordinary values with 3 decimals (-29/200 → -0.145)', () => {
    expect(formatFixed3(-29 / 200)).toBe('-0.145');
    expect(formatFixed3(2)).toBe('2.000');
  });
});

describe('frameSample', () => {
  it('averages a frame truncating toward zero and is invalid if any sample is', () => {
    const s = Int32Array.from([1, 2, 2, 2, -1, -2, -2, -2, 5, SAMPLE_GAP, 5, 5]);
    expect(frameSample(s, 4, 0)).toBe(1); // 7/4 = 1.75 → 1
    expect(frameSample(s, 4, 1)).toBe(-1); // -7/4 → -1
    expect(frameSample(s, 4, 2)).toBe(SAMPLE_GAP);
  });
});

describe('formatRdsampRows', () => {
  const h = parseWfdbHeader('r 2 100 3\nr.dat 16 200(10)/mV 16 0 0 0 0 A\nr.dat 16 100/mV 16 0 0 0 0 B\n');
  const block = {
    start: 5,
    frameCount: 2,
    samples: [Int32Array.from([10, 50]), Int32Array.from([SAMPLE_GAP, -25])],
    specs: h.signals,
  };
  it('prints raw values with -32768 for invalid samples, signals in the order asked', () => {
    expect(formatRdsampRows(block, { columns: [1, 0] })).toBe('5\t-32768\t10\n6\t-25\t50\n');
  });
  it('prints physical values as (d − baseline)/gain and - for invalid, comma-separated', () => {
    expect(formatRdsampRows(block, { columns: [0, 1], physical: true, separator: ',' })).toBe(
      '5,0.000,-\n6,0.200,-0.250\n',
    );
  });
});
