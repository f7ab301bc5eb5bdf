import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createPreprocessor } from '@heartline/ecg/signal';
import { openPtbxlFolder } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runHeartline } from './support/run-heartline.js';

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describe('the data path through the real CLI processes', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'heartline-e2e-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('writes a synthetic dataset that inspect verifies and the PTB-XL reader turns into model windows', async () => {
    const out = join(work, 'synth-a');
    const synth = await runHeartline(['synth', '--out', out, '--n', '6', '--seed', '3']);
    expect(synth.code, synth.stderr).toBe(0);

    const headers = (await listFiles(out)).filter((f) => f.endsWith('.hea'));
    expect(headers.filter((f) => f.startsWith('records500/'))).toHaveLength(6);
    expect(headers.filter((f) => f.startsWith('records100/'))).toHaveLength(6);

    const first = join(out, headers[0]!.replace(/\.hea$/, ''));
    const inspect = await runHeartline(['inspect', first, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const report = JSON.parse(inspect.stdout) as {
      signals: { description: string; checksum: { matches: boolean }; initialValue: { matches: boolean } }[];
    };
    expect(report.signals.map((s) => s.description)).toEqual([
      'I',
      'II',
      'III',
      'AVR',
      'AVL',
      'AVF',
      'V1',
      'V2',
      'V3',
      'V4',
      'V5',
      'V6',
    ]);
    expect(report.signals.every((s) => s.checksum.matches && s.initialValue.matches)).toBe(true);

    const folder = await openPtbxlFolder(out, { rate: 500 });
    const preprocessor = createPreprocessor();
    let records = 0;
    for await (const record of folder.records()) {
      expect(record.signal?.sampleRate).toBe(500);
      expect(record.report.raw.length).toBeGreaterThan(0);
      const result = preprocessor(record.signal!);
      expect(result.windowCount).toBe(1);
      expect(result.windows).toHaveLength(12 * 1000);
      expect(result.windows.every(Number.isFinite)).toBe(true);
      records += 1;
    }
    expect(records).toBe(6);
  });

  it('writes the same bytes for the same seed and different bytes for another seed', async () => {
    const dirs = ['same-1', 'same-2', 'other'].map((d) => join(work, d));
    const seeds = ['11', '11', '12'];
    for (const [i, dir] of dirs.entries()) {
      const run = await runHeartline(['synth', '--out', dir, '--n', '3', '--seed', seeds[i]!]);
      expect(run.code, run.stderr).toBe(0);
    }
    const [a, b, c] = await Promise.all(dirs.map(listFiles));
    expect(b).toEqual(a);
    let sameAsOther = true;
    for (const file of a!) {
      const [x, y, z] = await Promise.all(dirs.map((d) => readFile(join(d, file))));
      expect(y!.equals(x!), file).toBe(true);
      if (c!.includes(file) && !z!.equals(x!)) sameAsOther = false;
    }
    expect(sameAsOther).toBe(false);
  });

  it('start brings up cloud, broker and devices on first run, reuses everything on the second, and says what it did', async () => {
    const data = join(work, 'start');
    const args = ['start', '--data', data, '--n', '6', '--seed', '2', '--preset', 'tiny', '--devices', '2'];
    const quick = ['--port', '0', '--mqtt-port', '0', '--speed', '20', '--exit-after', '25'];
    const first = await runHeartline([...args, ...quick], { timeoutMs: 240_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/generating 6 synthetic 12-lead ECGs/);
    expect(first.stdout).toMatch(/6 records, 6 with a 500 Hz signal/);
    expect(first.stdout).toMatch(/training the bootstrap release \(preset tiny\)/);
    expect(first.stdout).toMatch(/imported 6 clinical records/);
    expect(first.stdout).toMatch(/rolled out to channel stable/);
    expect(first.stdout).toMatch(/operator {3}Authorization: Bearer hlt_/);
    // TLS by default: the local CA is made on the first start (and reused on the second).
    expect(first.stdout).toMatch(/tls: created a local certificate authority in \S+tls\n/);
    expect(first.stdout).toMatch(/API {8}https:\/\/localhost:\d+\/api\/v1/);
    expect(first.stdout).toMatch(/broker {5}mqtts:\/\/localhost:\d+/);
    // Both devices downloaded, verified and installed the release, then streamed windows that were stored.
    expect(first.stderr.match(/\[demo-\d\] device: model \S+ installed/g)).toHaveLength(2);
    const stats = JSON.parse(/stopped; ingest: (\{.*\})/.exec(first.stdout)![1]!);
    expect(stats.stored).toBeGreaterThan(4);
    expect(stats.rejected).toEqual({});

    const second = await runHeartline([...args, ...quick.slice(0, -1), '5'], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/reusing the synthetic dataset/);
    expect(second.stdout).toMatch(/release: reusing/);
    expect(second.stdout).not.toMatch(/tls: created/);
    expect(second.stdout).not.toMatch(/generating|training the bootstrap|imported|rolled out/);
    expect(hasStackTrace(first.stderr + second.stderr)).toBe(false);
  });
});
