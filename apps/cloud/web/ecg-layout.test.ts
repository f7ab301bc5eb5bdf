import { describe, expect, it } from 'vitest';
import {
  calibrationPulse,
  ecgPaperLayout,
  GRID_LEADS,
  gridLines,
  leadIndexOf,
  MM_PER_MV,
  MM_PER_SECOND,
  samplePoint,
} from './ecg-layout.js';

const LEADS = ['I', 'II', 'III', 'AVR', 'AVL', 'AVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

describe('ecgPaperLayout', () => {
  it('lays out 12 grid segments of 2.5 s and a 10-s lead II rhythm strip', () => {
    const layout = ecgPaperLayout(LEADS, 500);
    expect(layout.segments).toHaveLength(13);
    const grid = layout.segments.filter((s) => s.row < 3);
    expect(grid.map((s) => s.lead)).toEqual(GRID_LEADS.flat());
    for (const s of grid) {
      expect(s.endSample - s.startSample).toBe(1250);
      expect(s.startSample).toBe(s.column * 1250);
      expect(s.widthMm).toBeCloseTo(2.5 * MM_PER_SECOND);
    }
    const rhythm = layout.segments.at(-1)!;
    expect(rhythm).toMatchObject({ lead: 'II', row: 3, startSample: 0, endSample: 5000, leadIndex: 1 });
    expect(rhythm.widthMm).toBeCloseTo(250);
  });

  it('finds leads whatever their case (AVR is aVR) and marks missing ones with -1', () => {
    const layout = ecgPaperLayout(['I', 'II'], 100);
    expect(layout.segments.find((s) => s.lead === 'I')!.leadIndex).toBe(0);
    expect(layout.segments.find((s) => s.lead === 'V6')!.leadIndex).toBe(-1);
    expect(leadIndexOf(LEADS, 'aVR')).toBe(3);
    expect(leadIndexOf(LEADS, 'aVF')).toBe(5);
  });

  it('places columns 62.5 mm apart and rows on separate baselines inside the sheet', () => {
    const layout = ecgPaperLayout(LEADS, 100);
    const xs = layout.segments.filter((s) => s.row === 0).map((s) => s.xMm);
    expect(xs[1]! - xs[0]!).toBeCloseTo(62.5);
    expect(xs[3]! - xs[0]!).toBeCloseTo(187.5);
    const baselines = [...new Set(layout.segments.map((s) => s.baselineMm))];
    expect(baselines).toHaveLength(4);
    for (const b of baselines) expect(b).toBeGreaterThan(MM_PER_MV);
    expect(Math.max(...baselines)).toBeLessThan(layout.heightMm);
    expect(layout.widthMm).toBeGreaterThan(xs[3]! + 62.5);
    expect(layout.calibrations).toHaveLength(4);
    for (const c of layout.calibrations) expect(c.xMm + 7).toBeLessThanOrEqual(xs[0]!);
  });

  it('rejects a sampling rate that is not positive', () => {
    expect(() => ecgPaperLayout(LEADS, 0)).toThrow(RangeError);
    expect(() => ecgPaperLayout(LEADS, Number.NaN)).toThrow(/fs/);
  });
});

describe('samplePoint', () => {
  it('maps one second to 25 mm and one millivolt to 10 mm upwards', () => {
    const segment = ecgPaperLayout(LEADS, 500).segments[1]!; // aVR, second column: samples 1250…2500
    const start = samplePoint(segment, 1250, 0, 500);
    expect(start).toEqual({ xMm: segment.xMm, yMm: segment.baselineMm });
    const later = samplePoint(segment, 1250 + 500, 1, 500);
    expect(later.xMm - start.xMm).toBeCloseTo(25);
    expect(start.yMm - later.yMm).toBeCloseTo(10);
    expect(samplePoint(segment, 1250, -0.5, 500).yMm - start.yMm).toBeCloseTo(5);
  });
});

describe('calibrationPulse', () => {
  it('is 1 mV (10 mm) high and 0.2 s (5 mm) wide, starting and ending on the baseline', () => {
    const pulse = calibrationPulse(2, 20);
    expect(pulse[0]!.yMm).toBe(20);
    expect(pulse.at(-1)!.yMm).toBe(20);
    expect(Math.min(...pulse.map((p) => p.yMm))).toBe(10);
    const top = pulse.filter((p) => p.yMm === 10);
    expect(top.at(-1)!.xMm - top[0]!.xMm).toBe(5);
  });
});

describe('gridLines', () => {
  it('puts a line every millimetre and every fifth one on the major grid', () => {
    const { minor, major } = gridLines(20);
    expect(major).toEqual([0, 5, 10, 15, 20]);
    expect(minor).toHaveLength(16);
    expect(minor).not.toContain(5);
    expect(minor).toContain(19);
  });
});
