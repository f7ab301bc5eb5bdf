import { describe, expect, it } from 'vitest';
import { sameChecksum, wfdbChecksum } from './checksum.js';
import { decodeWfdbRecord } from './decode.js';
import { parseWfdbHeader } from './header.js';
import { allChecksPass, verifyWfdbRecord } from './verify.js';

const data = new Map([['r.dat', Uint8Array.from([0xff, 0x7f, 0x02, 0x00])]]); // 32767, 2

describe('wfdbChecksum', () => {
  it('wraps the sum to signed 16 bits and compares signed with unsigned forms', () => {
    expect(wfdbChecksum([32767, 2])).toBe(-32767); // 32769 − 65536
    expect(wfdbChecksum([-1, -1])).toBe(-2);
    expect(sameChecksum(-32767, 32769)).toBe(true);
    expect(sameChecksum(1, 2)).toBe(false);
  });
});

describe('verifyWfdbRecord', () => {
  it('reports a match when checksum (written unsigned) and initial value agree', () => {
    const record = decodeWfdbRecord(parseWfdbHeader('r 1 10 2\nr.dat 16 200 16 0 32767 32769 0 x\n'), data);
    const [check] = verifyWfdbRecord(record);
    expect(check).toMatchObject({ checksumMatches: true, initialValueMatches: true, sampleCount: 2 });
    expect(allChecksPass(verifyWfdbRecord(record))).toBe(true);
  });

  it('reports mismatches of checksum and initial value', () => {
    const record = decodeWfdbRecord(parseWfdbHeader('r 1 10 2\nr.dat 16 200 16 0 5 100 0 x\n'), data);
    const [check] = verifyWfdbRecord(record);
    expect(check).toMatchObject({
      checksumMatches: false,
      expectedChecksum: 100,
      actualChecksum: -32767,
      initialValueMatches: false,
      expectedInitialValue: 5,
      actualInitialValue: 32767,
    });
    expect(allChecksPass([check!])).toBe(false);
  });

  it('leaves checks undefined when the header omits them or skew was applied', () => {
    const omitted = decodeWfdbRecord(parseWfdbHeader('r 1 10 2\nr.dat 16\n'), data);
    expect(verifyWfdbRecord(omitted)[0]).toMatchObject({
      checksumMatches: undefined,
      initialValueMatches: undefined,
    });
    const skewed = decodeWfdbRecord(parseWfdbHeader('r 1 10 1\nr.dat 16:1 200 16 0 32767 32767 0\n'), data);
    expect(verifyWfdbRecord(skewed)[0]?.note).toContain('skew 1');
  });
});
