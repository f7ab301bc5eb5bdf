import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { WfdbDataError, WfdbUnsupportedError } from '@heartline/ecg/errors';
import { allChecksPass, parseWfdbHeader, SUPPORTED_FORMATS, verifyWfdbRecord } from '@heartline/ecg/wfdb';
import { describe, expect, it } from 'vitest';
import { sharedDataForTest } from '../shared-data.js';
import { readWfdbHeader, readWfdbRecord } from './read-wfdb-record.js';

const sampleDir = sharedDataForTest('wfdb-sample-data');
const ptbxlDir = sharedDataForTest('ptbxl-500');
const cincDir = sharedDataForTest('cinc2021-sample');

/** Every `.hea` under `dir`, recursively. */
function headers(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return headers(path);
    return e.name.endsWith('.hea') ? [path] : [];
  });
}

/** Reads with skew ignored (the header's checksums describe the stored samples) and verifies. */
async function verify(headerPath: string) {
  const { record } = await readWfdbRecord(headerPath.slice(0, -'.hea'.length), { applySkew: false });
  return verifyWfdbRecord(record);
}

// These two headers were hand-edited copies of test01_00s (one signal dropped, one doubled to 2 samples
// per frame): their checksums were updated but signal 2's initial value was left at the old signal's -57,
// while the data now stored there starts at -66 (the initial value test01_00s.hea gives that signal).
const STALE_INITIAL_VALUE = new Set(['test01_00s_frame.hea', 'test01_00s_skewframe.hea']);

describe.skipIf(!sampleDir)('readWfdbRecord on wfdb-sample-data', () => {
  const dir = sampleDir as string;

  it('matches every supported record’s checksums and initial values and gives typed errors for the rest', async () => {
    const outcome = { verified: 0, unsupported: 0, missing: 0 };
    for (const path of headers(dir)) {
      const name = relative(dir, path);
      // Classify from the header text alone, independently of the decoder.
      const header = parseWfdbHeader(readFileSync(path, 'latin1'), path);
      const unsupported =
        header.segmentCount !== undefined || header.signals.some((s) => !SUPPORTED_FORMATS.has(s.format));
      const missing = header.signals.find((s) => !existsSync(join(dirname(path), s.fileName)));
      if (unsupported) {
        await expect(verify(path), name).rejects.toBeInstanceOf(WfdbUnsupportedError);
        outcome.unsupported++;
      } else if (missing) {
        await expect(verify(path), name).rejects.toThrow(WfdbDataError);
        await expect(verify(path), name).rejects.toThrow(`${missing.fileName}: signal file referenced by`);
        outcome.missing++;
      } else {
        const checks = await verify(path);
        if (STALE_INITIAL_VALUE.has(name)) {
          expect(
            checks.every((c) => c.checksumMatches),
            name,
          ).toBe(true);
          expect(checks[2], name).toMatchObject({ expectedInitialValue: -57, actualInitialValue: -66 });
        } else {
          expect(
            allChecksPass(checks),
            `${name}: ${JSON.stringify(checks.filter((c) => !c.checksumMatches))}`,
          ).toBe(true);
          expect(
            checks.every((c) => c.checksumMatches === true),
            name,
          ).toBe(true);
        }
        outcome.verified++;
      }
    }
    // Formats 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 all occur among the verified records.
    expect(outcome.verified).toBeGreaterThanOrEqual(50);
    expect(outcome.unsupported).toBeGreaterThanOrEqual(10);
    expect(outcome.missing).toBeGreaterThanOrEqual(5);
  });

  it('decodes record 100 (format 212): initial values 995/1011 and frame 1 unpacked by hand', async () => {
    const { record } = await readWfdbRecord(join(dir, '100'));
    const [mlii, v5] = record.signals;
    expect(record.frameCount).toBe(650000);
    expect(mlii?.digital[0]).toBe(995);
    expect(v5?.digital[0]).toBe(1011);
    // Frame 1 is bytes 3..5: low byte, shared nibble byte (low nibble → MLII), low byte of V5.
    const bytes = readFileSync(join(dir, '100.dat'));
    const twelve = (v: number) => (v >= 2048 ? v - 4096 : v);
    expect(mlii?.digital[1]).toBe(twelve(bytes[3]! | ((bytes[4]! & 0x0f) << 8)));
    expect(v5?.digital[1]).toBe(twelve(bytes[5]! | ((bytes[4]! & 0xf0) << 4)));
    // Gain 200, baseline = ADC zero 1024.
    expect(mlii?.physical[0]).toBeCloseTo((995 - 1024) / 200, 6);
  });

  it('decodes s0010_re (format 16, two files) like a DataView walk over the raw bytes', async () => {
    const onDisk = await readWfdbRecord(join(dir, 's0010_re'));
    const raw = readFileSync(join(dir, 's0010_re.dat'));
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (const t of [0, 1, 1000, 38399]) {
      for (const s of [0, 5, 11]) {
        const expected = view.getInt16((t * 12 + s) * 2, true);
        expect(onDisk.record.signals[s]?.digital[t]).toBe(expected);
        expect(onDisk.record.signals[s]?.physical[t]).toBeCloseTo(expected / 2000, 6);
      }
    }
    const signal = onDisk.signal();
    expect(signal.sampleRate).toBe(1000);
    expect(signal.leadNames).toEqual([
      'i',
      'ii',
      'iii',
      'avr',
      'avl',
      'avf',
      'v1',
      'v2',
      'v3',
      'v4',
      'v5',
      'v6',
      'vx',
      'vy',
      'vz',
    ]);
    expect(signal.leads.every((l) => l.length === 38400)).toBe(true);
  });

  it('decodes a .mat signal file at byte offset 24 (a103l, format 16+24)', async () => {
    const { record } = await readWfdbRecord(join(dir, 'a103l'));
    const raw = readFileSync(join(dir, 'a103l.mat'));
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (const t of [0, 7, 82499]) {
      for (const s of [0, 1, 2])
        expect(record.signals[s]?.digital[t]).toBe(view.getInt16(24 + (t * 3 + s) * 2, true));
    }
    expect(record.signals.map((s) => s.digital[0])).toEqual([-171, 9127, 6042]);
  });

  it('derives the sample count from the file size when the header omits it (100-no-len)', async () => {
    const { record } = await readWfdbRecord(join(dir, '100-no-len'));
    expect(record.frameCount).toBe(((1950000 / 3) * 2) / 2);
  });

  it('accepts a path ending in .hea and keeps the header comments', async () => {
    const header = await readWfdbHeader(join(dir, '100.hea'));
    expect(header.comments).toEqual(['unnecessary comment', '69 M 1085 1629 x1', 'Aldomet, Inderal']);
  });

  it('names the file of a truncated .dat (100_3chan.dat cut to 100 bytes)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'wfdb-'));
    try {
      copyFileSync(join(dir, '100_3chan.hea'), join(work, '100_3chan.hea'));
      writeFileSync(join(work, '100_3chan.dat'), readFileSync(join(dir, '100_3chan.dat')).subarray(0, 100));
      const read = readWfdbRecord(join(work, '100_3chan'));
      await expect(read).rejects.toBeInstanceOf(WfdbDataError);
      await expect(read).rejects.toThrow(/^100_3chan\.dat: truncated: .* but the file has 100 bytes$/);
    } finally {
      rmSync(work, { recursive: true });
    }
  });

  it('rejects a multi-segment record with a typed error before reading segments', async () => {
    await expect(readWfdbRecord(join(dir, 'multi-segment', '041s', '041s'))).rejects.toThrow(
      /decoding multi-segment layouts \(record '\w+' has \d segments\) is not supported/,
    );
  });
});

describe.skipIf(!ptbxlDir || !cincDir)(
  'readWfdbRecord on PTB-XL and PhysioNet Challenge 2021 records',
  () => {
    it('matches checksums and initial values on every PTB-XL (format 16) and Challenge (16x1+24 .mat) record', async () => {
      const paths = [...headers(ptbxlDir as string), ...headers(cincDir as string)];
      expect(paths.length).toBeGreaterThan(100);
      for (const path of paths) {
        const checks = await verify(path);
        expect(checks).toHaveLength(12);
        expect(
          checks.every((c) => c.checksumMatches === true && c.initialValueMatches === true),
          path,
        ).toBe(true);
      }
    });
  },
);
