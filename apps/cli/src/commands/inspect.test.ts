import { join } from 'node:path';
import { sharedDataForTest } from '@heartline/node-io';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import type { InspectReport } from './inspect.js';

const dir = sharedDataForTest('wfdb-sample-data');

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe.skipIf(!dir)('heartline inspect', () => {
  it('prints a JSON summary with matching checks for record 100', async () => {
    const { code, stdout, stderr } = await run(['inspect', join(dir as string, '100'), '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as InspectReport;
    expect(r).toMatchObject({ record: '100', samplingFrequency: 360, frameCount: 650000, allMatch: true });
    expect(r.durationSeconds).toBeCloseTo(650000 / 360, 9);
    expect(r.signals.map((s) => [s.description, s.format, s.adcGain, s.units, s.decodedSamples])).toEqual([
      ['MLII', 212, 200, 'mV', 650000],
      ['V5', 212, 200, 'mV', 650000],
    ]);
    // Expected values are the header's own: checksums -22131 / 20052, initial values 995 / 1011.
    expect(r.signals.map((s) => [s.checksum.expected, s.checksum.matches])).toEqual([
      [-22131, true],
      [20052, true],
    ]);
    expect(r.signals.map((s) => [s.initialValue.actual, s.initialValue.matches])).toEqual([
      [995, true],
      [1011, true],
    ]);
  });

  it('prints a text summary without --json', async () => {
    const { code, stdout } = await run(['inspect', join(dir as string, 'a103l')]);
    expect(code).toBe(0);
    expect(stdout).toContain('format 16+24');
    expect(stdout).toContain('all checksums and initial values match');
  });

  it('exits 1 with one typed line for an unsupported (FLAC) record', async () => {
    const { code, stdout, stderr } = await run(['inspect', join(dir as string, 'flacformats'), '--json']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^heartline inspect: error \[WFDB_UNSUPPORTED\]: .*FLAC-compressed format 508/);
  });

  it('exits 1 with one typed line when a signal file is missing (n16.dat)', async () => {
    const { code, stderr } = await run(['inspect', join(dir as string, 'n16'), '--json']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^heartline inspect: error \[WFDB_DATA\]: n16\.dat: signal file referenced by .* is missing\n$/,
    );
  });

  it('exits 1 on a header mismatch (test01_00s_frame: stale initial value of signal 2)', async () => {
    const { code, stdout } = await run(['inspect', join(dir as string, 'test01_00s_frame'), '--json']);
    expect(code).toBe(1);
    const r = JSON.parse(stdout) as InspectReport;
    expect(r.allMatch).toBe(false);
    expect(r.signals[2]?.initialValue).toEqual({ expected: -57, actual: -66, matches: false });
  });
});

describe('heartline inspect arguments', () => {
  it('exits 2 with usage when no record path is given', async () => {
    const { code, stderr } = await run(['inspect']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: heartline inspect');
  });

  it('exits 1 with ENOENT for a record that does not exist ("/nonexistent/rec")', async () => {
    const { code, stderr } = await run(['inspect', '/nonexistent/rec']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^heartline inspect: error \[ENOENT\]/);
  });
});
