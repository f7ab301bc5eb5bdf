import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIAGNOSTIC_SUPERCLASSES, PTBXL_DATABASE_COLUMNS, SCP_STATEMENT_COLUMNS } from '@heartline/ecg/data';
import { CsvError, DatasetError } from '@heartline/ecg/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataForTest } from '../shared-data.js';
import { openPtbxlFolder, readPtbxlFolder } from './read-ptbxl.js';

const reportsDir = sharedDataForTest('ptbxl-reports');
const ptbxl500Dir = sharedDataForTest('ptbxl-500');

/**
 * Counts records per superclass straight from the raw CSV text with regexes, independent of the CSV
 * parser and label code: a statement line's code is its first field and its class the first field equal
 * to a superclass name; a database line's codes are the quoted keys inside its `{…}` literal.
 */
async function regexSuperclassCounts(dir: string): Promise<Record<string, number>> {
  const statements = await readFile(join(dir, 'scp_statements.csv'), 'utf8');
  const classOf = new Map<string, string>();
  for (const line of statements.split('\n')) {
    const m = /^([^,]+),.*?,1\.0,(?:1\.0)?,(?:1\.0)?,(NORM|MI|STTC|CD|HYP),/.exec(line);
    if (m) classOf.set(m[1]!, m[2]!);
  }
  const counts: Record<string, number> = { NORM: 0, MI: 0, STTC: 0, CD: 0, HYP: 0 };
  const database = await readFile(join(dir, 'ptbxl_database.csv'), 'utf8');
  for (const line of database.split('\n')) {
    // Quoted when it holds a comma, bare when it holds one code.
    const dict = /\{'[^}]*\}/.exec(line);
    if (!dict) continue;
    const classes = new Set([...dict[0].matchAll(/'([^']+)':/g)].map((m) => classOf.get(m[1]!)));
    for (const c of classes) if (c !== undefined) counts[c]! += 1;
  }
  return counts;
}

function countSuperclasses(records: readonly { labels: { superclasses: readonly string[] } }[]) {
  const counts: Record<string, number> = { NORM: 0, MI: 0, STTC: 0, CD: 0, HYP: 0 };
  for (const r of records) for (const c of r.labels.superclasses) counts[c]! += 1;
  return counts;
}

describe.skipIf(!reportsDir)('readPtbxlFolder on ptbxl-reports (reports only, no waveforms)', () => {
  const dir = reportsDir!;

  it('loads all 2,432 rows, each with a report and SCP codes', async () => {
    const { records, summary } = await readPtbxlFolder(dir);
    // 2,432 is the row count SOURCE.md states for this subset.
    expect(records).toHaveLength(2432);
    expect(summary).toMatchObject({ rows: 2432, selected: 2432 });
    for (const r of records) {
      expect(r.report.raw.trim().length).toBeGreaterThan(0);
      expect(Object.keys(r.scpCodes).length).toBeGreaterThan(0);
    }
  });

  it('says per record that the waveform is missing and still yields labels', async () => {
    const { records, summary } = await readPtbxlFolder(dir, { rate: 500 });
    expect(summary).toMatchObject({ present: 0, missing: 2432 });
    for (const r of records) {
      expect(r.signal).toBeUndefined();
      expect(r.missing).toBe(r.filenameHr);
      expect(r.missing).toMatch(/^records500\/\d{5}\/\d{5}_hr$/);
    }
    const withLabels = records.filter((r) => r.labels.superclasses.length > 0).length;
    // A few PTB-XL rows carry only rhythm/form codes; nearly all have a diagnostic superclass.
    expect(withLabels / records.length).toBeGreaterThan(0.9);
  });

  it('finds all five superclasses with the counts a regex over the raw CSV gives', async () => {
    const { records } = await readPtbxlFolder(dir, { includeSignals: false });
    const counts = countSuperclasses(records);
    for (const c of DIAGNOSTIC_SUPERCLASSES) expect(counts[c]).toBeGreaterThan(0);
    expect(counts).toEqual(await regexSuperclassCounts(dir));
  });

  it('detects German in 55–68 % of reports (SOURCE.md: about 60 %)', async () => {
    const { records } = await readPtbxlFolder(dir, { includeSignals: false });
    const german = records.filter((r) => r.report.language === 'de').length / records.length;
    expect(german).toBeGreaterThan(0.55);
    expect(german).toBeLessThan(0.68);
  });

  it('labels as German the reports of the devices that print German statements', async () => {
    // Independent rule from metadata: the Schiller CS-12/CS100 and AT-60 machines in this subset print
    // German statements (checked by reading samples); the language detector never sees the device column.
    const { records } = await readPtbxlFolder(dir, { includeSignals: false });
    const german = records.filter((r) => /^(?:CS-12|CS100|AT-60)\b/.test(r.device ?? ''));
    expect(german.length).toBeGreaterThan(1000);
    const hits = german.filter((r) => r.report.language === 'de').length;
    expect(hits / german.length).toBeGreaterThan(0.97);
    // And English sentences ("sinus rhythm.", "atrial fibrillation.") are labelled English.
    const english = records.filter((r) => /^(?:sinus rhythm|atrial fibrillation)\. /.test(r.report.raw));
    expect(english.length).toBeGreaterThan(100);
    expect(english.every((r) => r.report.language === 'en')).toBe(true);
  });

  it('has strat folds 1–8 only and filters by fold and limit', async () => {
    const all = (await readPtbxlFolder(dir, { includeSignals: false })).records;
    expect(new Set(all.map((r) => r.stratFold))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
    const fold8 = await readPtbxlFolder(dir, { folds: [8] });
    expect(fold8.records.length).toBe(all.filter((r) => r.stratFold === 8).length);
    expect(fold8.records.every((r) => r.stratFold === 8)).toBe(true);
    const first = await readPtbxlFolder(dir, { limit: 5 });
    expect(first.records.map((r) => r.ecgId)).toEqual(all.slice(0, 5).map((r) => r.ecgId));
  });
});

describe.skipIf(!ptbxl500Dir)('readPtbxlFolder on ptbxl-500 (real records, both rates)', () => {
  const dir = ptbxl500Dir!;

  it('reads 353 records with 12 leads × 1000 samples at 100 Hz', async () => {
    const { records, summary } = await readPtbxlFolder(dir, { rate: 100 });
    expect(summary).toMatchObject({ rows: 353, selected: 353, present: 353, missing: 0 });
    for (const r of records) {
      expect(r.missing).toBeUndefined();
      expect(r.signal!.sampleRate).toBe(100);
      expect(r.signal!.leads).toHaveLength(12);
      for (const lead of r.signal!.leads) expect(lead).toHaveLength(1000);
    }
  });

  it('reads 353 records with 12 leads × 5000 samples at 500 Hz', async () => {
    const { records, summary } = await readPtbxlFolder(dir, { rate: 500 });
    expect(summary.present).toBe(353);
    for (const r of records) {
      expect(r.recordPath).toBe(r.filenameHr);
      expect(r.signal!.sampleRate).toBe(500);
      expect(r.signal!.leads).toHaveLength(12);
      for (const lead of r.signal!.leads) expect(lead).toHaveLength(5000);
    }
  });

  it('has exactly the column lists the writers use', async () => {
    const firstLine = async (name: string) =>
      (await readFile(join(dir, name), 'utf8')).split(/\r?\n/)[0]!.split(',');
    expect(await firstLine('ptbxl_database.csv')).toEqual([...PTBXL_DATABASE_COLUMNS]);
    expect(await firstLine('scp_statements.csv')).toEqual([...SCP_STATEMENT_COLUMNS]);
  });

  it("decodes the first sample as the header's initial value over its gain", async () => {
    const { records } = await readPtbxlFolder(dir, { limit: 1 });
    const r = records[0]!;
    const header = await readFile(join(dir, `${r.recordPath}.hea`), 'utf8');
    // Signal line: file format gain(baseline)/units resolution adc_zero initial_value checksum block name.
    const fields = header.split('\n')[1]!.trim().split(/\s+/);
    const gain = Number.parseFloat(fields[2]!);
    const initial = Number(fields[5]);
    expect(r.signal!.leadNames[0]).toBe(fields[8]);
    expect(r.signal!.leads[0]![0]).toBeCloseTo(initial / gain, 6);
  });

  it('gives superclass counts that match a regex over the raw CSV', async () => {
    const { records } = await readPtbxlFolder(dir, { includeSignals: false });
    const counts = countSuperclasses(records);
    expect(counts).toEqual(await regexSuperclassCounts(dir));
    for (const c of DIAGNOSTIC_SUPERCLASSES) expect(counts[c]).toBeGreaterThan(0);
    // Plausibility against PTB-XL's published shares (NORM ≈ 44 %, each other class 12–25 %).
    expect(counts['NORM']! / records.length).toBeGreaterThan(0.25);
    expect(counts['NORM']! / records.length).toBeLessThan(0.65);
  });

  describe('on a partial copy', () => {
    let partial = '';
    beforeAll(async () => {
      partial = await mkdtemp(join(tmpdir(), 'ptbxl-partial-'));
      await copyFile(join(dir, 'ptbxl_database.csv'), join(partial, 'ptbxl_database.csv'));
      await copyFile(join(dir, 'scp_statements.csv'), join(partial, 'scp_statements.csv'));
      await mkdir(join(partial, 'records100', '00000'), { recursive: true });
      for (const name of ['00001_lr.hea', '00001_lr.dat', '00002_lr.hea', '00002_lr.dat', '00003_lr.hea']) {
        await copyFile(join(dir, 'records100', '00000', name), join(partial, 'records100', '00000', name));
      }
    });
    afterAll(async () => {
      if (partial) await rm(partial, { recursive: true, force: true });
    });

    it('reads the records present and notes the others (a .hea without its .dat counts as missing)', async () => {
      const folder = await openPtbxlFolder(partial);
      expect(folder.summary).toMatchObject({ selected: 353, present: 2, missing: 351 });
      const got = [];
      for await (const r of folder.records()) got.push(r);
      const present = got.filter((r) => r.signal !== undefined).map((r) => r.ecgId);
      expect(present).toEqual([1, 2]);
      expect(got.find((r) => r.ecgId === 3)!.missing).toBe('records100/00000/00003_lr');
    });
  });
});

describe('readPtbxlFolder on bad folders', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ptbxl-bad-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  const statements =
    ',description,diagnostic,form,rhythm,diagnostic_class,diagnostic_subclass\nNORM,normal ECG,1.0,,,NORM,NORM\n';

  it('throws DatasetError naming ptbxl_database.csv when it is missing', async () => {
    // Input tried: a folder holding only scp_statements.csv.
    const dir = join(root, 'no-db');
    await mkdir(dir);
    await writeFile(join(dir, 'scp_statements.csv'), statements);
    await expect(readPtbxlFolder(dir)).rejects.toThrow(DatasetError);
    await expect(readPtbxlFolder(dir)).rejects.toThrow(
      /missing ptbxl_database\.csv; a PTB-XL-layout folder holds/,
    );
  });

  it('throws DatasetError naming scp_statements.csv when it is missing', async () => {
    // Input tried: a folder holding only ptbxl_database.csv.
    const dir = join(root, 'no-statements');
    await mkdir(dir);
    await writeFile(join(dir, 'ptbxl_database.csv'), 'ecg_id\n1\n');
    await expect(readPtbxlFolder(dir)).rejects.toThrow(/missing scp_statements\.csv/);
  });

  it('throws DatasetError for a folder that does not exist', async () => {
    // Input tried: a path under the temp folder that was never created.
    await expect(readPtbxlFolder(join(root, 'nowhere'))).rejects.toThrow(DatasetError);
  });

  it('throws CsvError listing the missing columns of ptbxl_database.csv', async () => {
    // Input tried: a database without 'scp_codes' and 'strat_fold'.
    const dir = join(root, 'bad-columns');
    await mkdir(dir);
    await writeFile(join(dir, 'scp_statements.csv'), statements);
    await writeFile(
      join(dir, 'ptbxl_database.csv'),
      'ecg_id,patient_id,report,filename_lr,filename_hr\n1,2,x,records100/00000/00001_lr,records500/00000/00001_hr\n',
    );
    const error = await readPtbxlFolder(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toContain("'scp_codes', 'strat_fold'");
    expect((error as CsvError).message).toContain('ptbxl_database.csv');
  });
});
