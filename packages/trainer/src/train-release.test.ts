import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShardCache } from './data/shard-cache/open-cache.js';
import { trainRelease } from './train-release.js';

/** The fields of `release.json`'s data section checked here. */
type DataSection = { train: number; validation: number; selfSupervised?: { ecgs: number } };

let root: string;
let archive: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'heartline-train-cache-'));
  archive = join(root, 'archive');
  const files = generateDataset({ n: 60, seed: 'train-cache', rate: 100 });
  for (const path of files.keys()) if (path.includes('_hr.')) files.delete(path);
  await writeDataset(archive, files);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function shardTimes(cacheDir: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const sub of await readdir(cacheDir)) {
    for (const file of await readdir(join(cacheDir, sub))) {
      if (file.endsWith('.bin')) times.set(join(sub, file), (await stat(join(cacheDir, sub, file))).mtimeMs);
    }
  }
  return times;
}

describe('trainRelease with a shard cache', () => {
  const cacheDir = () => join(root, 'cache');
  const run = (out: string, lines: string[]) =>
    trainRelease({
      out: join(root, out),
      preset: 'tiny',
      dataDirs: [archive],
      pairedReports: [],
      cacheDir: cacheDir(),
      steps: 4,
      synthetic: 32,
      selfSupervisedSteps: 2,
      workers: 1,
      log: (line) => lines.push(line),
    });

  it('writes a release from cached training folds, and a second run reuses the cache without rewriting a shard', async () => {
    const first: string[] = [];
    const data = (await run('r1', first)).manifest.data as DataSection;
    expect(first.some((l) => /cache: .*\(1 written, 0 reused/.test(l))).toBe(true);
    expect(data.validation).toBeGreaterThan(0);
    expect(data.selfSupervised?.ecgs).toBeGreaterThan(0);

    // Only the training folds are cached: the validation fold (8) is read into memory, 9 and 10 never.
    const [sub] = await readdir(cacheDir());
    const cache = openShardCache(join(cacheDir(), sub!));
    const folds = new Set(cache.readShardMeta(0).folds);
    expect([...folds].every((f) => f >= 1 && f <= 7)).toBe(true);
    // Pairs: the cached ECGs plus the synthetic examples of the training folds.
    expect(data.train).toBeGreaterThan(cache.size);

    const before = await shardTimes(cacheDir());
    const second: string[] = [];
    const again = (await run('r2', second)).manifest.data as DataSection;
    expect(second.some((l) => /cache: .*\(0 written, 1 reused/.test(l))).toBe(true);
    expect(await shardTimes(cacheDir())).toEqual(before);
    expect(again.train).toBe(data.train);
  }, 300_000);
});
