import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWfdbHeader } from '@heartline/ecg/wfdb';
import { sharedDataForTest } from '@heartline/node-io';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const dir = sharedDataForTest('wfdb-sample-data');

async function dump(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['dump', ...argv], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  const rows = stdout === '' ? [] : stdout.trimEnd().split('\n');
  return { code, stdout, stderr, rows };
}

const header = (path: string) => parseWfdbHeader(readFileSync(`${path}.hea`, 'latin1'), path);
const columns = (rows: string[], sep = '\t') => rows.map((r) => r.split(sep));
/** Sum of a printed raw column modulo 2^16, as the header checksum is defined. */
const sum16 = (rows: string[][], col: number) => rows.reduce((s, r) => (s + Number(r[col])) & 0xffff, 0);
/** The same sum with rdsamp's printed -32768 turned back into the format's stored invalid code. */
const storedSum16 = (rows: string[][], col: number, invalidCode: number) => {
  const invalid = rows.filter((r) => r[col] === '-32768').length;
  return (sum16(rows, col) + invalid * (invalidCode + 32768)) & 0xffff;
};

describe.skipIf(!dir)('heartline dump on wfdb-sample-data', () => {
  const d = dir as string;

  it('prints every sample of record 100 (format 212) matching the header checksums and initial values', async () => {
    const path = join(d, '100');
    const { code, rows } = await dump(path);
    expect(code).toBe(0);
    const h = header(path);
    expect(rows).toHaveLength(h.sampleCount as number);
    const cells = columns(rows);
    expect(cells[0]).toEqual(['0', String(h.signals[0]?.initialValue), String(h.signals[1]?.initialValue)]);
    expect(cells[649999]?.[0]).toBe('649999');
    h.signals.forEach((s, i) => {
      expect(sum16(cells, i + 1)).toBe((s.checksum as number) & 0xffff);
    });
  });

  it('matches the header checksums of test01_00s (format 16) and a103l (format 16 at byte offset 24)', async () => {
    for (const name of ['test01_00s', 'a103l']) {
      const path = join(d, name);
      const cells = columns((await dump(path)).rows);
      const h = header(path);
      h.signals.forEach((s, i) => {
        expect(sum16(cells, i + 1), `${name} signal ${i}`).toBe((s.checksum as number) & 0xffff);
        expect(cells[0]?.[i + 1]).toBe(String(s.initialValue));
      });
    }
  });

  it('decodes a103l frame 7 like a DataView over the .mat bytes after the 24-byte offset', async () => {
    const raw = readFileSync(join(d, 'a103l.mat'));
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const { rows } = await dump(join(d, 'a103l'), '--from', 's7', '--to', 's8');
    expect(rows).toEqual([
      [7, ...[0, 1, 2].map((s) => view.getInt16(24 + (7 * 3 + s) * 2, true))].join('\t'),
    ]);
  });

  it('applies skew like rdsamp: 100skew signal 1 at t equals record 100 signal 1 at t + 3', async () => {
    const skewed = columns((await dump(join(d, '100skew'), '--to', 's50')).rows);
    const plain = columns((await dump(join(d, '100'), '--to', 's53')).rows);
    for (let t = 0; t < 50; t++) {
      expect(skewed[t]?.[1]).toBe(plain[t]?.[1]);
      expect(skewed[t]?.[2]).toBe(plain[t + 3]?.[2]);
    }
    // The skewed signal's last 3 frames lie past the end of the file: like rdsamp, the record ends at the
    // last frame where every signal has a sample, 3 frames before the header's 650,000.
    const tail = columns((await dump(join(d, '100skew'), '--from', 's649994')).rows);
    expect(tail.map((r) => r[0])).toEqual(['649994', '649995', '649996']);
    expect(tail.map((r) => r[2])).toEqual(
      columns((await dump(join(d, '100'), '--from', 's649997')).rows).map((r) => r[2]),
    );
  });

  // rdsamp's row counts for PhysioNet's skewed records: the header's frames less the largest skew.
  for (const [record, frames] of [
    ['03700181', 75_000 - 4],
    ['test01_00s_skewframe', 4000 - 3],
  ] as const) {
    it(`ends ${record} where rdsamp does: ${frames} rows, none invalid`, async () => {
      const { code, rows } = await dump(join(d, record));
      expect(code).toBe(0);
      expect(rows).toHaveLength(frames);
      expect(rows.at(-1)?.split('\t')[0]).toBe(String(frames - 1));
      expect(rows.filter((r) => r.includes('-32768'))).toEqual([]);
    });
  }

  it('prints format 80 (p000878 segment 3269321_0002) with invalid -128 codes as -32768, checksums agreeing', async () => {
    const path = join(d, 'multi-segment', 'p000878', '3269321_0002');
    const cells = columns((await dump(path)).rows);
    const h = header(path);
    const bytes = readFileSync(`${path}.dat`);
    h.signals.forEach((s, i) => {
      // rdsamp prints WFDB's invalid value -32768 where the file stores format 80's -128.
      expect(storedSum16(cells, i + 1, -128), `signal ${i}`).toBe((s.checksum as number) & 0xffff);
    });
    // Frame 5, signal 1 (PLETH): byte 11, offset binary.
    expect(cells[5]?.[2]).toBe(String(bytes[11]! - 128 === -128 ? -32768 : bytes[11]! - 128));
  });

  it('selects rows with --from/--to in seconds (rounded) or sN, --to exclusive', async () => {
    const path = join(d, '100');
    // 360 Hz: 0.01 s = 3.6 → sample 4; 0.02 s = 7.2 → sample 7.
    const byTime = await dump(path, '--from', '0.01', '--to', '0.02');
    expect(byTime.rows.map((r) => r.split('\t')[0])).toEqual(['4', '5', '6']);
    expect((await dump(path, '--from', 's10', '--to', 's10')).rows).toEqual([]);
    expect((await dump(path, '--from', '1', '--to', '2')).rows).toHaveLength(360);
  });

  it('orders --signals as given and separates fields with commas under --csv', async () => {
    const { rows } = await dump(join(d, '100'), '--to', 's2', '--signals', '1,0,1', '--csv');
    expect(rows).toEqual(['0,1011,995,1011', '1,1011,995,1011']);
  });

  it('prints physical values with 3 decimals: (995 − 1024) / 200 = −0.145 for record 100', async () => {
    const { rows } = await dump(join(d, '100'), '--to', 's1', '--physical');
    expect(rows).toEqual(['0\t-0.145\t-0.065']);
  });

  it('concatenates the fixed-layout segments of v102s (each segment re-reads v102s.dat)', async () => {
    const path = join(d, 'multi-segment', 'fixed1', 'v102s');
    const { rows } = await dump(path);
    expect(rows).toHaveLength(225000);
    const cells = columns(rows);
    const seg = header(join(d, 'multi-segment', 'fixed1', 'v102s_1'));
    for (let k = 0; k < 3; k++) {
      const part = cells.slice(k * 75000, (k + 1) * 75000);
      seg.signals.forEach((s, i) => {
        // Format 212 stores invalid samples as -2048.
        expect(storedSum16(part, i + 1, -2048)).toBe((s.checksum as number) & 0xffff);
        expect(part[0]?.[i + 1]).toBe(String(s.initialValue));
      });
    }
  });

  it('averages the 4 samples per frame of 041s (212x4) and starts segment 2 at sample 1000', async () => {
    const path = join(d, 'multi-segment', '041s', '041s');
    const cells = columns((await dump(path, '--from', 's1000', '--to', 's1001')).rows);
    const seg2 = header(join(d, 'multi-segment', '041s', '041s02'));
    // Unpack frame 0 of 041s02.dat by hand: 16 samples (3 × 4 + 4) in 24 bytes of 12-bit pairs.
    const b = readFileSync(join(d, 'multi-segment', '041s', '041s02.dat'));
    const twelve = (v: number) => (v >= 2048 ? v - 4096 : v);
    const samples: number[] = [];
    for (let j = 0; j < 24; j += 3) {
      samples.push(twelve(b[j]! | ((b[j + 1]! & 0x0f) << 8)), twelve(b[j + 2]! | ((b[j + 1]! & 0xf0) << 4)));
    }
    expect(samples[0]).toBe(seg2.signals[0]?.initialValue);
    const mean = (k: number) =>
      Math.trunc((samples[k]! + samples[k + 1]! + samples[k + 2]! + samples[k + 3]!) / 4);
    expect(cells[0]).toEqual([
      '1000',
      ...[0, 4, 8].map((k) => String(mean(k))),
      ...samples.slice(12).map(String),
    ]);
    expect(samples.slice(12)).toEqual(seg2.signals.slice(3).map((s) => s.initialValue));
  });

  it('prints a null segment as invalid and rescales variable-layout segments to the layout calibration', async () => {
    const base = join(d, 'multi-segment', 's25047');
    const path = join(base, 's25047-2704-05-04-10-44');
    // The first segment is `~ 25740`: every signal invalid.
    const nulls = await dump(path, '--from', 's25738', '--to', 's25741', '--physical');
    expect(nulls.rows.slice(0, 2)).toEqual(['25738\t-\t-\t-', '25739\t-\t-\t-']);
    const raw = await dump(path, '--to', 's1');
    expect(raw.rows).toEqual(['0\t-32768\t-32768\t-32768']);
    // Segment 3234460_0001 (II 86/mV, V 67/mV, no ABP) starts at 25740; the layout has II and V at 86/mV.
    const seg = header(join(base, '3234460_0001'));
    const first = columns((await dump(path, '--from', 's25740', '--to', 's25741')).rows)[0];
    const ii = seg.signals[0]!.initialValue;
    const v = seg.signals[1]!.initialValue;
    expect(first).toEqual(['25740', String(ii), String(Math.trunc((v * 86) / 67)), '-32768']);
  });

  it('reads a range that avoids missing segment files and names the missing file otherwise', async () => {
    const path = join(d, 'multi-segment', 'p000878', 'p000878-2137-10-26-16-57');
    // ~ 3750, then 3269321_0001 (2000) and 3269321_0002 (1750) are present; 3269321_0003 is not.
    const ok = await dump(path, '--from', 's3740', '--to', 's7500', '--signals', '1,0');
    expect(ok.code).toBe(0);
    expect(ok.rows).toHaveLength(3760);
    const missing = await dump(path, '--from', 's7499', '--to', 's7501');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^heartline dump: error \[WFDB_DATA\]: 3269321_0003\.hea: segment header/);
    const s00001 = join(d, 'multi-segment', 's00001', 's00001-2896-10-10-00-31');
    // Segment 3975656_0009 starts at 3261 + 6750 + 125 + 1354 + 512 + 906259 + 2604 + 1304941 + 1280 + 512.
    const at = 3261 + 6750 + 125 + 1354 + 512 + 906259 + 2604 + 1304941 + 1280 + 512;
    const noDat = await dump(s00001, '--from', `s${at}`, '--to', `s${at + 1}`);
    expect(noDat.stderr).toMatch(/error \[WFDB_DATA\]: 3975656_0009\.dat: signal file referenced by/);
  });
});

describe('heartline dump arguments', () => {
  it('exits 2 with usage for a bad --from ("soon") and no record path', async () => {
    expect((await dump()).code).toBe(2);
    if (!dir) return;
    const bad = await dump(join(dir, '100'), '--from', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--from 'soon' is not a time");
    const range = await dump(join(dir, '100'), '--signals', '2');
    expect(range.stderr).toContain("--signals entry '2' is not a signal number in 0…1");
  });
});
