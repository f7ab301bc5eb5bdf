import { join } from 'node:path';
import { CANONICAL_LEADS, createPreprocessor } from '@heartline/ecg/signal';
import { readWfdbRecord, sharedDataForTest } from '@heartline/node-io';
import { describe, expect, it } from 'vitest';

const wfdbDir = sharedDataForTest('wfdb-sample-data');
const cincDir = sharedDataForTest('cinc2021-sample');

function meanAndStd(x: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let sq = 0;
  for (const v of x) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / x.length) };
}

describe.skipIf(!wfdbDir)('PTB s0010_re (15 signals at 1000 Hz) through the reader and preprocessing', () => {
  it('maps to the 12 canonical leads, ignores the Frank leads, and yields 100 Hz windows', async () => {
    const { header, signal } = await readWfdbRecord(join(wfdbDir!, 's0010_re'));
    expect(header.signals).toHaveLength(15);
    expect(header.samplingFrequency ?? header.signals.length).toBeDefined();
    const raw = signal();
    expect(raw.sampleRate).toBe(1000);
    expect(raw.leads[0]).toHaveLength(38_400);

    const result = createPreprocessor()(raw);
    expect(result.sampleRate).toBe(100);
    expect(result.missingLeads).toEqual([]);
    expect([...result.ignoredLeads].sort()).toEqual(['vx', 'vy', 'vz']);
    // 38.4 s at 100 Hz = 3,840 samples: three whole 10 s windows, the 8.4 s tail dropped.
    expect(result.windowCount).toBe(3);
    expect(result.windows).toHaveLength(3 * 12 * 1000);
    expect(Array.from(result.leadMask)).toEqual(CANONICAL_LEADS.map(() => 1));
    for (let lead = 0; lead < 12; lead++) {
      const row = result.windows.subarray(lead * 1000, (lead + 1) * 1000);
      const { mean, std } = meanAndStd(row);
      expect(Math.abs(mean)).toBeLessThan(1e-3);
      expect(std).toBeCloseTo(1, 3);
    }
  });
});

describe.skipIf(!cincDir)('PhysioNet Challenge records (.mat, format 16 at byte offset 24)', () => {
  it('decodes and preprocesses every 500 Hz 12-lead record into one 12×1000 window', async () => {
    for (const name of ['E07500', 'HR06000', 'JS20000']) {
      const { signal } = await readWfdbRecord(join(cincDir!, name));
      const raw = signal();
      expect(raw.sampleRate, name).toBe(500);
      const result = createPreprocessor()(raw);
      expect(result.missingLeads, name).toEqual([]);
      expect(result.windowCount, name).toBe(1);
      expect(result.windows.every(Number.isFinite), name).toBe(true);
    }
  });
});
