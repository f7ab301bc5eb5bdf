import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScpStatements, SNOMED_CLASS_TABLE } from '@heartline/ecg/data';
import { DatasetError, WfdbDataError } from '@heartline/ecg/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataForTest } from '../shared-data.js';
import { readChallengeFolder } from './read-challenge.js';

const sampleDir = sharedDataForTest('cinc2021-sample');
const ptbxlDir = sharedDataForTest('ptbxl-500');

/**
 * A two-lead Challenge record written by hand: a 24-byte stand-in for the MATLAB v4 header, then
 * little-endian int16 frames (I, II) = (10, −5), (20, −10), (30, −15), (40, −20) at gain 1000/mV.
 * Checksums are the 16-bit sums: 100 and −50.
 */
async function writeHandMadeRecord(dir: string, name: string, dx: string): Promise<void> {
  const header = [
    `${name} 2 500 4`,
    `${name}.mat 16x1+24 1000.0(0)/mV 16 0 10 100 0 I`,
    `${name}.mat 16x1+24 1000.0(0)/mV 16 0 -5 -50 0 II`,
    '# Age: 61',
    '# Sex: Female',
    `# Dx: ${dx}`,
    '# Rx: Unknown',
    '',
  ].join('\n');
  const bytes = Buffer.alloc(24 + 16);
  [10, -5, 20, -10, 30, -15, 40, -20].forEach((v, i) => {
    bytes.writeInt16LE(v, 24 + 2 * i);
  });
  await writeFile(join(dir, `${name}.hea`), header);
  await writeFile(join(dir, `${name}.mat`), bytes);
}

describe('readChallengeFolder on hand-made records', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'challenge-'));
    await mkdir(join(dir, 'good'));
    await writeHandMadeRecord(join(dir, 'good'), 'T0001', '426783006');
    await mkdir(join(dir, 'nested', 'db1'), { recursive: true });
    await writeHandMadeRecord(join(dir, 'nested', 'db1'), 'T0002', '164889003, 39732003,99999999');
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'empty', 'notes.txt'), 'no records here');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes format 16 after the 24-byte offset and reads age, sex and Dx', async () => {
    const [r] = await readChallengeFolder(join(dir, 'good'));
    expect(r).toMatchObject({
      id: 'T0001',
      age: 61,
      sex: 'female',
      dxCodes: ['426783006'],
      unmappedCodes: [],
    });
    expect(r!.labels).toMatchObject({ superclasses: ['NORM'], rhythm: ['SR'], normInferred: true });
    expect(r!.signal!.sampleRate).toBe(500);
    expect(r!.signal!.leadNames).toEqual(['I', 'II']);
    // Physical = digital / 1000 mV.
    expect([...r!.signal!.leads[0]!].map((v) => Math.round(v * 1000))).toEqual([10, 20, 30, 40]);
    expect([...r!.signal!.leads[1]!].map((v) => Math.round(v * 1000))).toEqual([-5, -10, -15, -20]);
  });

  it('searches subfolders and lists codes the table does not map', async () => {
    const [r] = await readChallengeFolder(join(dir, 'nested'));
    expect(r!.recordPath).toBe(join('db1', 'T0002'));
    expect(r!.dxCodes).toEqual(['164889003', '39732003', '99999999']);
    expect(r!.labels.rhythm).toEqual(['AFIB']);
    expect(r!.unmappedCodes).toEqual(['39732003', '99999999']);
  });

  it('skips signal decoding when includeSignals is false', async () => {
    const [r] = await readChallengeFolder(join(dir, 'good'), { includeSignals: false });
    expect(r!.signal).toBeUndefined();
    expect(r!.dxCodes).toEqual(['426783006']);
  });

  it('throws DatasetError for a folder with no .hea', async () => {
    // Input tried: a folder holding only notes.txt.
    await expect(readChallengeFolder(join(dir, 'empty'))).rejects.toThrow(DatasetError);
    await expect(readChallengeFolder(join(dir, 'empty'))).rejects.toThrow(/no \.hea/);
  });

  it('throws DatasetError for a path that is not a folder', async () => {
    // Input tried: a folder name that does not exist.
    await expect(readChallengeFolder(join(dir, 'absent'))).rejects.toThrow(DatasetError);
  });

  it('names the .mat file when it is truncated', async () => {
    // Input tried: T0001.mat cut to 24 + 8 bytes (two of four frames).
    const bad = join(dir, 'truncated');
    await mkdir(bad);
    await copyFile(join(dir, 'good', 'T0001.hea'), join(bad, 'T0001.hea'));
    const bytes = await readFile(join(dir, 'good', 'T0001.mat'));
    await writeFile(join(bad, 'T0001.mat'), bytes.subarray(0, 32));
    const error = await readChallengeFolder(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).message).toContain(join(bad, 'T0001.mat'));
    expect((error as DatasetError).cause).toBeInstanceOf(WfdbDataError);
  });
});

describe.skipIf(!sampleDir)('readChallengeFolder on cinc2021-sample (real records)', () => {
  const dir = sampleDir!;

  // Independent expectations for the codes these headers hold, from the Challenge's own names:
  // superclass implied (or none), and whether heartline leaves the code unmapped.
  const expected: Record<string, { superclass?: string; rhythm?: string; unmapped?: true }> = {
    '426783006': { rhythm: 'SR' }, // sinus rhythm
    '427084000': { rhythm: 'STACH' }, // sinus tachycardia
    '426177001': { rhythm: 'SBRAD' }, // sinus bradycardia
    '67741000119109': { superclass: 'HYP' }, // left atrial enlargement
    '253352002': { superclass: 'HYP' }, // left atrial abnormality
    '164934002': { superclass: 'STTC' }, // T-wave abnormal
    '59931005': { superclass: 'STTC' }, // T-wave inversion
    '55930002': { superclass: 'STTC' }, // ST changes
    '698252002': { superclass: 'CD' }, // nonspecific intraventricular conduction disorder
    '284470004': {}, // premature atrial contraction: a form statement
    '427172004': {}, // premature ventricular contractions: a form statement
    '55827005': {}, // left ventricular high voltage: voltage criteria only
    '251187003': { unmapped: true }, // atrial escape beat: no PTB-XL statement
  };

  it('reads all 10 records as 12-lead, 500 Hz, 10 s signals whose first samples match the headers', async () => {
    const records = await readChallengeFolder(dir);
    const headers = (await readdir(dir)).filter((f) => f.endsWith('.hea')).sort();
    expect(records.map((r) => `${r.id}.hea`)).toEqual(headers);
    for (const r of records) {
      const text = await readFile(join(dir, `${r.id}.hea`), 'utf8');
      const [, , , fs, n] = /^(\S+) (\d+) (\d+) (\d+)/.exec(text)!;
      expect(r.signal!.sampleRate).toBe(Number(fs));
      expect(r.signal!.leads).toHaveLength(12);
      // Field 6 of each signal line is the first sample (digital); gain is 1000/mV (`mv` in the HR* files), baseline 0.
      const initial = [...text.matchAll(/^\S+\.mat 16x1\+24 1000\.0\(0\)\/mV 16 0 (-?\d+) /gim)].map((m) =>
        Number(m[1]),
      );
      expect(initial).toHaveLength(12);
      r.signal!.leads.forEach((lead, i) => {
        expect(lead.length).toBe(Number(n));
        expect(Math.round(lead[0]! * 1000)).toBe(initial[i]);
      });
    }
  });

  it('parses age, sex and every # Dx: code and maps them as the Challenge names imply', async () => {
    const records = await readChallengeFolder(dir, { includeSignals: false });
    expect(records).toHaveLength(10);
    for (const r of records) {
      const text = await readFile(join(dir, `${r.id}.hea`), 'utf8');
      const dx = /^# Dx: (.*)$/m
        .exec(text)![1]!
        .split(',')
        .map((c) => c.trim());
      expect(r.dxCodes).toEqual(dx);
      expect(r.age).toBe(Number(/^# Age: (\d+)/m.exec(text)![1]));
      expect(r.sex).toBe(/^# Sex: (\w+)/m.exec(text)![1]!.toLowerCase());
      const supers = new Set<string>();
      const rhythm = new Set<string>();
      for (const code of dx) {
        const e = expected[code];
        expect(e, `code ${code} of ${r.id} has an expectation`).toBeDefined();
        if (e!.superclass) supers.add(e!.superclass);
        if (e!.rhythm) rhythm.add(e!.rhythm);
      }
      if (dx.length === 1 && dx[0] === '426783006') supers.add('NORM');
      expect([...r.labels.superclasses].sort()).toEqual([...supers].sort());
      expect([...r.labels.rhythm].sort()).toEqual([...rhythm].sort());
      expect(r.unmappedCodes).toEqual(dx.filter((c) => expected[c]!.unmapped));
    }
  });

  it('honours limit', async () => {
    expect(await readChallengeFolder(dir, { limit: 3, includeSignals: false })).toHaveLength(3);
  });
});

describe.skipIf(!ptbxlDir)('SNOMED_CLASS_TABLE against PTB-XL scp_statements.csv', () => {
  it('names only real SCP statements, and agrees with PTB-XL on superclass and rhythm', async () => {
    const statements = parseScpStatements(await readFile(join(ptbxlDir!, 'scp_statements.csv'), 'utf8'));
    for (const entry of SNOMED_CLASS_TABLE.values()) {
      if (entry.scp === undefined) continue;
      const st = statements.get(entry.scp);
      expect(st, `${entry.code} → ${entry.scp}`).toBeDefined();
      // A diagnostic statement fixes the superclass; form-only ones (INVT, STD_) may carry one by meaning.
      if (st!.diagnostic) expect(entry.superclass, entry.code).toBe(st!.diagnosticClass);
      expect(entry.rhythm !== undefined, entry.code).toBe(st!.rhythm);
    }
  });
});
