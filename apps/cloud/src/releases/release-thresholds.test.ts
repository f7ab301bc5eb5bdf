import { CLASS_SETS } from '@heartline/model/text';
import { describe, expect, it } from 'vitest';
import { classSetOf, parseReleaseThresholds } from './release-thresholds.js';

describe('parseReleaseThresholds', () => {
  it("reads training's calibrated per-class thresholds, +∞ (null) kept as never", () => {
    const text = JSON.stringify({
      validation: {
        zeroShot: {
          f1Thresholds: 'calibration',
          perClass: { NORM: { threshold: 0.31 }, MI: { threshold: null }, CD: { threshold: 'x' } },
        },
      },
    });
    expect(parseReleaseThresholds(text)).toEqual({
      source: 'calibration',
      thresholds: { NORM: 0.31, MI: null },
      classSet: 'superclass',
    });
  });

  it('falls back to none, never to invented thresholds', () => {
    for (const text of [
      undefined,
      'not json',
      '{}',
      JSON.stringify({ zeroShot: { perClass: { NORM: {} } } }),
    ]) {
      expect(parseReleaseThresholds(text)).toEqual({
        source: 'none',
        thresholds: {},
        classSet: 'superclass',
      });
    }
  });
});

describe('classSetOf', () => {
  it('picks the set holding most codes', () => {
    expect(classSetOf(CLASS_SETS.rhythm)).toBe('rhythm');
    expect(classSetOf(['NORM', 'MI'])).toBe('superclass');
    expect(classSetOf([])).toBe('superclass');
  });
});
