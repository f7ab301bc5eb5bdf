import { describe, expect, it } from 'vitest';
import { parseCsv } from '../data/csv.js';
import { parseScpCodes } from '../data/scp-codes.js';
import { InvalidArgumentError } from '../errors.js';
import { decodeWfdbRecord } from '../wfdb/decode.js';
import { parseWfdbHeader } from '../wfdb/header.js';
import { allChecksPass, verifyWfdbRecord } from '../wfdb/verify.js';
import { generateDataset } from './dataset.js';
import { generateEcg } from './generate.js';

const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? new TextEncoder().encode(v) : v);

function sameFiles(a: Map<string, string | Uint8Array>, b: Map<string, string | Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !Buffer.from(bytes(v)).equals(Buffer.from(bytes(w)))) return false;
  }
  return true;
}

function decode(files: Map<string, string | Uint8Array>, path: string) {
  const header = parseWfdbHeader(files.get(`${path}.hea`) as string, `${path}.hea`);
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  return decodeWfdbRecord(header, (name) => files.get(dir + name) as Uint8Array | undefined);
}

describe('generateDataset', () => {
  const files = generateDataset({ n: 12, seed: 5 });

  it('gives identical bytes for the same seed and different bytes for another seed', () => {
    expect(sameFiles(files, generateDataset({ n: 12, seed: 5 }))).toBe(true);
    expect(sameFiles(files, generateDataset({ n: 12, seed: 6 }))).toBe(false);
  });

  it('writes the PTB-XL layout: both rates per record plus the two CSV files', () => {
    expect(files.size).toBe(12 * 4 + 2);
    expect(files.has('records500/00000/00001_hr.hea')).toBe(true);
    expect(files.has('records500/00000/00012_hr.dat')).toBe(true);
    expect(files.has('records100/00000/00007_lr.dat')).toBe(true);
    // 12 leads × 5000 samples × 2 bytes at 500 Hz; × 1000 samples at 100 Hz.
    expect((files.get('records500/00000/00003_hr.dat') as Uint8Array).length).toBe(12 * 5000 * 2);
    expect((files.get('records100/00000/00003_lr.dat') as Uint8Array).length).toBe(12 * 1000 * 2);
  });

  it('round-trips every record through the WFDB decoder with matching checksums and initial values', () => {
    for (const path of [...files.keys()].filter((k) => k.endsWith('.hea'))) {
      const record = decode(files, path.slice(0, -4));
      expect(record.signals).toHaveLength(12);
      expect(allChecksPass(verifyWfdbRecord(record))).toBe(true);
    }
  });

  it('stores the generated ECG in mV at gain 1000 (decoded lead II equals the generator output to 1 µV)', () => {
    const ecg = generateEcg({ seed: '5:1', sampleRate: 500, seconds: 10, noise: 'random' });
    const record = decode(files, 'records500/00000/00001_hr');
    const lead = ecg.signal.leads[1] as Float32Array;
    const physical = record.signals[1]?.physical as Float32Array;
    expect(physical).toHaveLength(lead.length);
    for (let i = 0; i < lead.length; i += 13) {
      // Rounding to the nearest µV unit is the only loss (rail values beyond ±32.767 mV are clamped).
      if (Math.abs(lead[i] as number) < 32)
        expect(Math.abs((physical[i] as number) - (lead[i] as number))).toBeLessThanOrEqual(0.0005 + 1e-6);
    }
  });

  it('writes ptbxl_database.csv with PTB-XL columns, parseable scp_codes and reports', () => {
    const table = parseCsv(files.get('ptbxl_database.csv') as string);
    expect(table.header.slice(0, 4)).toEqual(['ecg_id', 'patient_id', 'age', 'sex']);
    expect(table.header).toContain('report');
    expect(table.header.at(-3)).toBe('strat_fold');
    expect(table.rows).toHaveLength(12);
    const col = (name: string) => table.header.indexOf(name);
    for (const [i, row] of table.rows.entries()) {
      expect(row[col('ecg_id')]).toBe(String(i + 1));
      const codes = parseScpCodes(row[col('scp_codes')] as string);
      expect(Object.keys(codes).length).toBeGreaterThan(0);
      expect((row[col('report')] as string).length).toBeGreaterThan(5);
      expect(row[col('filename_hr')]).toBe(`records500/00000/${String(i + 1).padStart(5, '0')}_hr`);
      const fold = Number(row[col('strat_fold')]);
      expect(fold >= 1 && fold <= 10).toBe(true);
    }
  });

  it('lists in scp_statements.csv exactly the codes the rows use', () => {
    const db = parseCsv(files.get('ptbxl_database.csv') as string);
    const used = new Set<string>();
    for (const row of db.rows)
      for (const c of Object.keys(parseScpCodes(row[db.header.indexOf('scp_codes')] as string))) used.add(c);
    const statements = parseCsv(files.get('scp_statements.csv') as string);
    expect(statements.header[0]).toBe('');
    expect(statements.header).toContain('diagnostic_class');
    expect(new Set(statements.rows.map((r) => r[0]))).toEqual(used);
  });

  it('rejects n = 0 and a rate of 250 Hz with InvalidArgumentError', () => {
    expect(() => generateDataset({ n: 0, seed: 1 })).toThrow(InvalidArgumentError);
    expect(() => generateDataset({ n: 1, seed: 1, rate: 250 })).toThrow(InvalidArgumentError);
  });
});
