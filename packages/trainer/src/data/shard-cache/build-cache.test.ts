import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardCacheError } from '../../errors.js';
import { buildShardCache } from './build-cache.js';
import { MANIFEST_FILE, parseManifest } from './manifest.js';
import { ptbxlFolderSources, type RecordSource } from './record-source.js';

const RECORDS = 40;
const OPTIONS = { shardSize: 4, workers: 1, chunkSize: 2 };
let root: string;
let archive: string;
let sources: RecordSource[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'heartline-shard-build-'));
  archive = join(root, 'archive');
  const files = generateDataset({ n: RECORDS, seed: 'shard-build', rate: 100 });
  for (const path of files.keys()) if (path.includes('_hr.')) files.delete(path);
  await writeDataset(archive, files);
  sources = await ptbxlFolderSources(archive, { source: 'synthetic' });
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Starts a separate Node process that builds the cache with slowed reads (40 ms per record) and prints a
 * line per finished shard, so the test can kill it part-way on evidence rather than after a guessed delay.
 */
function startSlowBuild(cacheDir: string): ChildProcess {
  const loader = new URL('../../../../../scripts/dev/register-tsx.mjs', import.meta.url).href;
  const entry = new URL('./index.ts', import.meta.url).href;
  const code = `
    await import(${JSON.stringify(loader)});
    const { buildShardCache, ptbxlFolderSources } = await import(${JSON.stringify(entry)});
    const sources = (await ptbxlFolderSources(${JSON.stringify(archive)}, { source: 'synthetic' })).map((s) => ({
      key: s.key,
      read: () => new Promise((resolve) => setTimeout(resolve, 40)).then(() => s.read()),
    }));
    await buildShardCache(${JSON.stringify(cacheDir)}, sources, {
      ...${JSON.stringify(OPTIONS)},
      onShard: (e) => process.stdout.write('shard ' + e.index + '\\n'),
    });
    process.stdout.write('finished\\n');`;
  return spawn(process.execPath, ['--conditions=source', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Resolves with the child's stdout so far once it has printed a line starting with `prefix`. */
function waitForLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.split('\n').some((l) => l.startsWith(prefix))) resolve(text);
    });
    child.on('exit', (code, signal) =>
      reject(new Error(`build exited (${code ?? signal}) before '${prefix}'`)),
    );
  });
}

describe('buildShardCache', () => {
  it('resumes after the process is killed: finished shards are kept, the result equals an uninterrupted build', async () => {
    const killed = join(root, 'killed');
    const child = startSlowBuild(killed);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitForLine(child, 'shard ');
    child.kill('SIGKILL');
    await exited;

    const before = parseManifest(await readFile(join(killed, MANIFEST_FILE), 'utf8'), 'killed');
    expect(before.shards.length).toBeGreaterThanOrEqual(1);
    expect(before.shards.length).toBeLessThan(before.shardCount);
    const stats = await Promise.all(before.shards.map((e) => stat(join(killed, e.file), { bigint: true })));

    const progress: number[] = [];
    const resumed = await buildShardCache(killed, sources, {
      ...OPTIONS,
      onProgress: (done) => progress.push(done),
    });
    expect(resumed.reused).toBe(before.shards.length);
    expect(resumed.written).toBe(before.shardCount - before.shards.length);
    expect(progress[0]).toBe(before.shards.reduce((a, e) => a + e.sourceCount, 0));
    expect(progress.at(-1)).toBe(RECORDS);
    for (const [k, entry] of before.shards.entries()) {
      const now = await stat(join(killed, entry.file), { bigint: true });
      expect(now.ino).toBe(stats[k]!.ino);
      expect(now.mtimeNs).toBe(stats[k]!.mtimeNs);
    }
    expect((await readdir(killed)).filter((n) => n.endsWith('.partial'))).toEqual([]);

    const straight = join(root, 'straight');
    const whole = await buildShardCache(straight, sources, { ...OPTIONS, workers: 2 });
    expect(whole.written).toBe(10);
    expect(resumed.manifest).toEqual(whole.manifest);
    for (const entry of whole.manifest.shards) {
      expect(await readFile(join(killed, entry.file))).toEqual(await readFile(join(straight, entry.file)));
    }

    // A finished cache is all reused on a further run.
    const again = await buildShardCache(straight, sources, OPTIONS);
    expect(again).toMatchObject({ written: 0, reused: 10, examples: RECORDS, skipped: 0 });
  }, 120_000);

  it('refuses to reuse a folder built with other settings or from other records', async () => {
    const dir = join(root, 'refuse');
    await buildShardCache(dir, sources.slice(0, 8), OPTIONS);
    await expect(buildShardCache(dir, sources.slice(0, 8), { ...OPTIONS, shardSize: 8 })).rejects.toThrow(
      ShardCacheError,
    );
    await expect(
      buildShardCache(dir, sources.slice(0, 8), { ...OPTIONS, preprocess: { notchHz: 60 } }),
    ).rejects.toThrow(/settings/);
    await expect(buildShardCache(dir, sources.slice(1, 9), OPTIONS)).rejects.toThrow(/other records/);
  }, 60_000);
});
