import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcgSource, EcgWindow } from './ecg-source.js';
import { ptbxlSource } from './ptbxl-source.js';
import { wfdbSource } from './wfdb-source.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-replay-'));
  // 3 records of 20 s each at 500 Hz: two 10 s windows per record.
  await writeDataset(dir, generateDataset({ n: 3, seed: 4, seconds: 20, rate: 500 }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(source: EcgSource, max = 100): Promise<EcgWindow[]> {
  const out: EcgWindow[] = [];
  for await (const w of source.windows()) {
    out.push(w);
    if (out.length >= max) break;
  }
  return out;
}

describe('wfdbSource', () => {
  it('cuts a 20 s record into two 10 s windows of 5,000 samples', async () => {
    const windows = await collect(wfdbSource(join(dir, 'records500/00000/00001_hr'), { startTime: 0 }));
    expect(windows.map((w) => w.t0)).toEqual([0, 10_000]);
    expect(windows[0]!.signal.leads).toHaveLength(12);
    expect(windows[0]!.signal.leads[0]).toHaveLength(5000);
    // The second window starts where the first ended.
    expect(windows[1]!.signal.leads[0]![0]).not.toBe(windows[0]!.signal.leads[0]![0]);
  });

  it('starts again from the first window when looping', async () => {
    const windows = await collect(wfdbSource(join(dir, 'records500/00000/00001_hr'), { loop: true }), 5);
    expect(windows).toHaveLength(5);
    expect(windows[2]!.signal.leads[3]).toEqual(windows[0]!.signal.leads[3]);
  });
});

describe('ptbxlSource', () => {
  it('replays every record with studyId = ecg_id and the patient id', async () => {
    const windows = await collect(ptbxlSource(dir, { rate: 100 }));
    expect(windows).toHaveLength(6);
    expect(windows.map((w) => w.studyId)).toEqual(['1', '1', '2', '2', '3', '3']);
    expect(windows.every((w) => typeof w.patientId === 'string' && /^\d+$/.test(w.patientId))).toBe(true);
    expect(windows[0]!.signal.sampleRate).toBe(100);
    expect(windows[0]!.signal.leads[0]).toHaveLength(1000);
  });
});
