import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatCount,
  formatPercent,
  formatScore,
  formatTime,
  leadsInMask,
  progressFraction,
  UNKNOWN,
} from './format.js';

describe('format', () => {
  it('writes unknown values as a dash', () => {
    expect(formatCount(null)).toBe(UNKNOWN);
    expect(formatPercent(undefined)).toBe(UNKNOWN);
    expect(formatScore(Number.NaN)).toBe(UNKNOWN);
    expect(formatTime('not a time')).toBe(UNKNOWN);
    expect(formatAgo(null, 0)).toBe(UNKNOWN);
  });

  it('writes counts, percentages and scores', () => {
    expect(formatCount(12345.4)).toBe('12,345');
    expect(formatPercent(0.9531, 1)).toBe('95.3 %');
    expect(formatScore(0.87512)).toBe('0.875');
  });

  it('says how long ago a time was, in the largest whole unit', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(formatAgo('2026-01-01T23:59:48Z', now)).toBe('12 s ago');
    expect(formatAgo('2026-01-01T23:57:00Z', now)).toBe('3 min ago');
    expect(formatAgo('2026-01-01T21:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2025-12-29T00:00:00Z', now)).toBe('4 d ago');
    expect(formatAgo('2026-01-02T00:00:05Z', now)).toBe('0 s ago');
  });

  it('writes times in UTC to the second', () => {
    expect(formatTime('2026-11-25T09:17:13.151Z')).toBe('2026-11-25 09:17:13 UTC');
  });

  it('names the leads a mask keeps', () => {
    expect(leadsInMask(0b111111111111)).toHaveLength(12);
    expect(leadsInMask(0b111111111111 & ~(1 << 8))).not.toContain('V3');
    expect(leadsInMask(0b1000000000011)).toEqual(['I', 'II']);
  });

  it('turns job progress into a clamped fraction', () => {
    expect(progressFraction(null)).toBe(0);
    expect(progressFraction({ done: 3, total: 0 })).toBe(0);
    expect(progressFraction({ done: 3, total: 12 })).toBe(0.25);
    expect(progressFraction({ done: 13, total: 12 })).toBe(1);
  });
});
