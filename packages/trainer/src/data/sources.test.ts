import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '@heartline/ecg/data';
import { DatasetError } from '@heartline/ecg/errors';
import { sharedDataForTest } from '@heartline/node-io';
import { describe, expect, it } from 'vitest';
import { concatExamples, subsetExamples } from './example-set.js';
import { pairedReportExamples } from './from-paired-reports.js';
import { examplesFromPtbxlFolder } from './from-ptbxl-folder.js';
import { syntheticExamples } from './from-synthetic.js';

const ptbxl = sharedDataForTest('ptbxl-500');
const reports = sharedDataForTest('ptbxl-reports');

describe('syntheticExamples', () => {
  it('generates normalised 12×1000 windows with reports, labels and folds 1–10, the same for the same seed', () => {
    const a = syntheticExamples({ n: 12, seed: 4 });
    const b = syntheticExamples({ n: 12, seed: 4 });
    expect(a.size).toBe(12);
    expect(a.windows).toHaveLength(12 * 12 * 1000);
    expect(a.windows.every(Number.isFinite)).toBe(true);
    expect(Array.from(a.folds)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]);
    expect(a.reports.every((r) => r.length > 0)).toBe(true);
    expect(a.labels.every((l) => l.length > 0)).toBe(true);
    // Superclasses follow PTB-XL's statement table: infarct codes imply MI, bundle branch blocks CD.
    for (const l of a.labels) {
      if (l.some((c) => ['AMI', 'ASMI', 'IMI'].includes(c))) expect(l).toContain('MI');
      if (l.some((c) => ['CLBBB', 'CRBBB', '1AVB'].includes(c))) expect(l).toContain('CD');
      if (l.includes('NORM')) expect(l.filter((c) => ['MI', 'CD', 'HYP', 'STTC'].includes(c))).toEqual([]);
    }
    expect(a.labels.some((l) => l.includes('MI'))).toBe(true);
    expect(b.windows).toEqual(a.windows);
    expect(b.reports).toEqual(a.reports);
  });

  it('subsets and concatenates without mixing examples up', () => {
    const a = syntheticExamples({ n: 4, seed: 1 });
    const b = syntheticExamples({ n: 3, seed: 2 });
    const both = concatExamples([a, b]);
    expect(both.size).toBe(7);
    const picked = subsetExamples(both, [5, 0]);
    expect(picked.ids).toEqual([b.ids[1], a.ids[0]]);
    expect(picked.windows.subarray(0, 12000)).toEqual(b.windows.subarray(12000, 24000));
    expect(picked.reports).toEqual([b.reports[1], a.reports[0]]);
  });
});

describe.skipIf(!ptbxl)('examplesFromPtbxlFolder on the real PTB-XL sample', () => {
  it('reads exactly the records of the asked fold, each with a report and labels', async () => {
    const csv = parseCsv(await readFile(join(ptbxl!, 'ptbxl_database.csv'), 'utf8'));
    const foldColumn = csv.header.indexOf('strat_fold');
    const expected = csv.rows.filter((r) => r[foldColumn] === '8').length;
    const { set, skipped } = await examplesFromPtbxlFolder(ptbxl!, { folds: [8] });
    expect(set.size + skipped).toBe(expected);
    expect(skipped).toBe(0);
    expect(Array.from(new Set(set.folds))).toEqual([8]);
    expect(set.reports.every((r) => r.length > 0)).toBe(true);
    expect(set.windows.every(Number.isFinite)).toBe(true);
  });
});

describe.skipIf(!reports)('pairedReportExamples on the real report corpus', () => {
  it('keeps the real report text of each kept row and accounts for every row', async () => {
    const file = join(reports!, 'ptbxl_database.csv');
    const { set, skipped } = await pairedReportExamples(file, { seed: 1, limit: 40 });
    expect(set.size + skipped).toBe(40);
    expect(set.size).toBeGreaterThan(20);
    const csv = parseCsv(await readFile(file, 'utf8'));
    const reportColumn = csv.header.indexOf('report');
    const realReports = new Set(csv.rows.slice(0, 40).map((r) => r[reportColumn]));
    expect(set.reports.every((r) => realReports.has(r))).toBe(true);
    expect(set.sources.every((s) => s === 'paired')).toBe(true);
  });

  it('refuses a database CSV without scp_statements.csv beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heartline-paired-'));
    try {
      const file = join(dir, 'ptbxl_database.csv');
      await writeFile(file, await readFile(join(reports!, 'ptbxl_database.csv')));
      await expect(pairedReportExamples(file, { seed: 1 })).rejects.toBeInstanceOf(DatasetError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
