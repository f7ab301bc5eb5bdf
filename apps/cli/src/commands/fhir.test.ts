import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWfdbRecord, sharedDataForTest } from '@heartline/node-io';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const sampleDir = sharedDataForTest('wfdb-sample-data');
const ptbxlDir = sharedDataForTest('ptbxl-500');

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const work = mkdtempSync(join(tmpdir(), 'fhir-'));
afterAll(() => rmSync(work, { recursive: true }));

/** Export → import → read back; every standard lead's digital samples must equal the original's. */
async function roundTrip(recordPath: string, name: string) {
  const json = join(work, `${name}.json`);
  expect((await run(['fhir', 'export', recordPath, '--out', json])).code).toBe(0);
  const imported = await run(['fhir', 'import', json, '--out', join(work, 'out')]);
  expect(imported.code).toBe(0);
  const original = (await readWfdbRecord(recordPath)).record;
  const back = (await readWfdbRecord(join(work, 'out', name))).record;
  expect(back.header.samplingFrequency).toBe(original.header.samplingFrequency);
  expect(back.signals).toHaveLength(12);
  for (const s of back.signals) {
    const src = original.signals.find(
      (o) => o.spec.description.toLowerCase() === s.spec.description.toLowerCase(),
    );
    expect(src, s.spec.description).toBeDefined();
    expect(s.spec.adcGain).toBe(src?.spec.adcGain);
    expect(s.spec.baseline).toBe(src?.spec.baseline);
    expect(Array.from(s.digital)).toEqual(Array.from(src?.digital ?? []));
  }
}

describe.skipIf(!sampleDir)('heartline fhir on s0010_re', () => {
  it('round-trips the 12 standard leads of s0010_re exactly in digital units (vx, vy, vz skipped)', async () => {
    await roundTrip(join(sampleDir as string, 's0010_re'), 's0010_re');
  });
});

describe.skipIf(!ptbxlDir)('heartline fhir on PTB-XL', () => {
  it('round-trips a PTB-XL 500 Hz record exactly in digital units', async () => {
    const folder = join(ptbxlDir as string, 'records500', '00000');
    const first = readdirSync(folder).find((f) => f.endsWith('.hea')) as string;
    await roundTrip(join(folder, first.slice(0, -4)), first.slice(0, -4));
  });
});

describe('heartline fhir import errors', () => {
  it('exits 1 with a FHIR error listing the problems of {"resourceType":"Patient"}', async () => {
    const path = join(work, 'bad.json');
    writeFileSync(path, '{"resourceType":"Patient"}');
    const r = await run(['fhir', 'import', path, '--out', join(work, 'x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error \[FHIR\]: .*resourceType is "Patient".*code lacks MDC_ECG_ELEC_POTL.*no component/,
    );
  });
  it('exits 2 without a subcommand', async () => {
    expect((await run(['fhir'])).code).toBe(2);
  });
});
