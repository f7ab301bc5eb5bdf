import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, hasStackTrace, runHeartline } from './support/run-heartline.js';

/** A bad-input failure must be exactly one line naming the problem, with a stable code and no stack trace. */
function expectOneLineError(run: CliRun, code: string, ...mentions: string[]): void {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(hasStackTrace(run.stderr)).toBe(false);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`error [${code}]`);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

describe('bad input at the CLI gets a typed one-line error', () => {
  let work: string;
  let record: string; // a valid synthetic record (path without extension) to damage copies of
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'heartline-bad-'));
    const run = await runHeartline(['synth', '--out', join(work, 'ds'), '--n', '1', '--seed', '5']);
    expect(run.code, run.stderr).toBe(0);
    const folder = join(work, 'ds', 'records100', '00000');
    const name = (await readdir(folder)).find((f) => f.endsWith('.hea'))!.slice(0, -4);
    record = join(folder, name);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function damagedCopy(name: string, editHeader: (text: string) => string, datBytes?: number) {
    const dir = join(work, name);
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    const header = await readFile(`${record}.hea`, 'utf8');
    const datName = header.split('\n')[1]!.split(' ')[0]!;
    const recordName = header.split(' ')[0]!;
    await writeFile(join(dir, `${recordName}.hea`), editHeader(header));
    await writeFile(join(dir, datName), await readFile(join(record, '..', datName)));
    if (datBytes !== undefined) await truncate(join(dir, datName), datBytes);
    return { path: join(dir, recordName), datName };
  }

  it('reports a truncated .dat (cut to 1,000 of its 24,000 bytes) naming the file', async () => {
    const { path, datName } = await damagedCopy('truncated', (h) => h, 1000);
    expectOneLineError(await runHeartline(['inspect', path]), 'WFDB_DATA', datName);
  });

  it('reports an unknown storage format (999 instead of 16) naming the file and the format', async () => {
    const { path } = await damagedCopy('format', (h) => h.replace(/\.dat 16 /g, '.dat 999 '));
    const run = await runHeartline(['inspect', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error \[WFDB_(UNSUPPORTED|HEADER)\]/);
    expect(run.stderr).toContain('999');
    expect(run.stderr).toContain('.hea');
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('reports a header whose signal count (15) disagrees with its 12 signal lines', async () => {
    const { path } = await damagedCopy('count', (h) => h.replace(/^(\S+) 12 /, '$1 15 '));
    expectOneLineError(await runHeartline(['inspect', path]), 'WFDB_HEADER', '.hea');
  });

  it('reports a missing record file instead of crashing', async () => {
    const run = await runHeartline(['inspect', join(work, 'no-such-record')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no-such-record');
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('reports a PTB-XL database CSV without its scp_codes and strat_fold columns, listing both', async () => {
    const csv = join(work, 'ptbxl_database.csv');
    await writeFile(csv, 'ecg_id,patient_id,report,filename_lr,filename_hr\n1,7,sinus rhythm,a_lr,a_hr\n');
    const run = await runHeartline(['synth', '--reports', csv, '--out', join(work, 'paired'), '--seed', '1']);
    expectOneLineError(run, 'CSV', 'scp_codes', 'strat_fold', 'ptbxl_database.csv');
  });

  it('answers an unknown flag with the usage and exit code 2', async () => {
    const run = await runHeartline(['synth', '--out', join(work, 'x'), '--seed', '1', '--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--frobnicate');
    expect(run.stderr).toContain('usage: heartline synth');
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
