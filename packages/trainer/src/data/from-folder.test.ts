import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '@heartline/ecg/errors';
import { encodeWfdbRecord } from '@heartline/ecg/wfdb';
import { sharedDataForTest } from '@heartline/node-io';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExampleSet } from './example-set.js';
import { examplesFromFolder } from './from-folder.js';

const FOLDS = [1, 2, 3, 4, 5, 6, 7, 8];

/** Per-lead standard deviations of example `e`'s usable leads. */
function leadSpreads(set: ExampleSet, e: number): number[] {
  const out: number[] = [];
  for (let l = 0; l < 12; l++) {
    if (set.leadMasks[e * 12 + l] === 0) continue;
    const lead = set.windows.subarray((e * 12 + l) * 1000, (e * 12 + l + 1) * 1000);
    const mean = lead.reduce((a, v) => a + v, 0) / lead.length;
    out.push(Math.sqrt(lead.reduce((a, v) => a + (v - mean) ** 2, 0) / lead.length));
  }
  return out;
}

describe('examplesFromFolder, synthetic plain WFDB folders', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function plainFolder(units: 'mV' | 'NU' | 'uV', withRecordsFile: boolean): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'heartline-wfdb-'));
    dirs.push(dir);
    await mkdir(join(dir, 'sub'));
    const names = ['I', 'II', 'III', 'AVR', 'AVL', 'AVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
    for (const name of ['a', 'b']) {
      const record = encodeWfdbRecord({
        recordName: name,
        sampleRate: 100,
        signals: names.map((lead, k) => ({
          name: lead,
          units,
          gain: units === 'uV' ? 1 : 1000,
          digital: Int16Array.from({ length: 1200 }, (_, i) =>
            Math.round(
              800 * Math.sin((2 * Math.PI * 1.2 * i) / 100 + k) + 300 * Math.sin((2 * Math.PI * 7 * i) / 100),
            ),
          ),
        })),
      });
      await writeFile(join(dir, 'sub', `${name}.hea`), record.header);
      await writeFile(join(dir, 'sub', record.dataFileName), record.data);
    }
    if (withRecordsFile) await writeFile(join(dir, 'RECORDS'), 'sub/a\n');
    return dir;
  }

  it('reads the records a RECORDS file lists, else every .hea, as ECGs without reports in fold 0', async () => {
    const listed = await examplesFromFolder(await plainFolder('NU', true), { folds: FOLDS });
    expect(listed.kind).toBe('wfdb');
    expect(listed.set.size).toBe(1);
    expect(listed.description).toMatch(/RECORDS file\): 1 ECGs without reports \(in normalised units \(NU\)/);
    const scanned = await examplesFromFolder(await plainFolder('mV', false), { folds: FOLDS });
    expect(scanned.set.size).toBe(2);
    expect(scanned.description).toMatch(/every \.hea.*in mV/);
    expect(scanned.set.reports).toEqual(['', '']);
    expect(Array.from(scanned.set.folds)).toEqual([0, 0]);
    expect(scanned.set.sources).toEqual(['wfdb', 'wfdb']);
  });

  it('brings mV, µV and NU records of one shape to the same scale, with every lead usable', async () => {
    const sets = await Promise.all(
      (['mV', 'uV', 'NU'] as const).map(
        async (u) => (await examplesFromFolder(await plainFolder(u, true), { folds: FOLDS })).set,
      ),
    );
    for (const set of sets) expect(Array.from(set.leadMasks)).toEqual(new Array(12).fill(1));
    // µV at gain 1 is 1000× the mV record's amplitude in its own unit, and the same after conversion.
    expect(sets[1]!.windows).toEqual(sets[0]!.windows);
    // NU at gain 1000 holds numbers 1000× smaller than the µV ones: the same after per-lead normalisation.
    for (const s of leadSpreads(sets[2]!, 0)) expect(s).toBeCloseTo(1, 2);
    const diff = sets[2]!.windows.reduce((m, v, i) => Math.max(m, Math.abs(v - sets[0]!.windows[i]!)), 0);
    expect(diff).toBeLessThan(1e-3);
  });

  it('names the layouts it expected when a folder has none', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'heartline-empty-'));
    dirs.push(empty);
    await expect(examplesFromFolder(empty, { folds: FOLDS })).rejects.toThrow(DatasetError);
    await expect(examplesFromFolder(empty, { folds: FOLDS })).rejects.toThrow(
      /PTB-XL-layout.*Challenge.*plain WFDB/,
    );
  });
});

const ptbxl500 = sharedDataForTest('ptbxl-500');
const extra = sharedDataForTest('ptbxl-extra');
const unlabeled = sharedDataForTest('ptbxl-unlabeled');
const form = sharedDataForTest('ptbxl-reports-form');
const cinc = sharedDataForTest('cinc2021-sample');

describe.skipIf(!ptbxl500 || !extra || !unlabeled || !form || !cinc)(
  'examplesFromFolder on the shared real folders',
  () => {
    it('finds each layout, pairs or not, and says so', async () => {
      const found = await Promise.all(
        [ptbxl500!, extra!, unlabeled!, form!, cinc!].map((d) =>
          examplesFromFolder(d, { folds: FOLDS, limit: 40 }),
        ),
      );
      expect(found.map((f) => f.kind)).toEqual(['ptbxl', 'ptbxl', 'wfdb', 'ptbxl-reports', 'challenge']);
      expect(found[0]!.description).toMatch(/40 ECGs with reports \(100 Hz, in mV\)/);
      expect(found[1]!.description).toMatch(/40 ECGs with reports \(100 Hz, in normalised units \(NU\)\)/);
      expect(found[2]!.description).toMatch(/RECORDS file\): 40 ECGs without reports \(in normalised units/);
      expect(found[3]!.reportsCsv).toMatch(/ptbxl_database\.csv$/);
      expect(found[3]!.set.size).toBe(0);
      expect(found[4]!.set.reports.every((r) => r === '')).toBe(true);
    });

    it('takes no z-scored (NU) lead for a flat millivolt one, and puts NU and mV records on one scale', async () => {
      const mv = (await examplesFromFolder(ptbxl500!, { folds: FOLDS, limit: 60 })).set;
      const nu = (await examplesFromFolder(extra!, { folds: FOLDS, limit: 60 })).set;
      const usable = (s: ExampleSet) => s.leadMasks.reduce((a, v) => a + v, 0) / s.leadMasks.length;
      // PTB-XL's NU copies are band-passed, z-scored 12-lead recordings: every lead is usable.
      expect(usable(nu)).toBeGreaterThan(0.99);
      expect(usable(mv)).toBeGreaterThan(0.95);
      const spreads = (s: ExampleSet) => Array.from({ length: s.size }, (_, e) => leadSpreads(s, e)).flat();
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      expect(median(spreads(nu))).toBeCloseTo(median(spreads(mv)), 1);
    });
  },
);
