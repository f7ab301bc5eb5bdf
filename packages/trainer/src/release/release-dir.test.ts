import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReleaseError } from '@heartline/model/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RELEASE_FILES, readReleaseDir, writeReleaseDir } from './release-dir.js';

describe('release directories', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'heartline-release-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const release = {
    manifest: {
      format: 'heartline-release' as const,
      formatVersion: 1 as const,
      id: 'r-test',
      created: '2026-11-25T00:00:00.000Z',
      mode: 'pretrain' as const,
      preset: 'tiny',
      config: { ecgDim: 8 },
      preprocessing: { targetRate: 100 },
      data: { synthetic: 3 },
    },
    weights: { 'ecg.w': { shape: [2], values: new Float32Array([1.5, -2]) } },
    tokenizer: { version: 1, vocab: ['[PAD]'] },
    metrics: { zeroShot: { macroAuroc: 0.9 } },
  };

  it('reads back what it wrote, with the weights hash in the manifest', async () => {
    const manifest = await writeReleaseDir(dir, release);
    expect(manifest.weights.bytes).toBe(8);
    expect(manifest.weights.sha256).toMatch(/^[0-9a-f]{64}$/);
    const back = await readReleaseDir(dir);
    expect(back.manifest).toEqual(manifest);
    expect(back.weights['ecg.w']!.values).toEqual(new Float32Array([1.5, -2]));
    expect(back.tokenizer).toEqual(release.tokenizer);
    expect(back.metrics).toEqual(release.metrics);
  });

  it('refuses weights changed after writing (one byte flipped)', async () => {
    await writeReleaseDir(dir, release);
    const path = join(dir, RELEASE_FILES.weights);
    const bytes = await readFile(path);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(path, bytes);
    await expect(readReleaseDir(dir)).rejects.toThrow(/corrupt or was replaced/);
  });

  it('refuses a folder without a manifest and a manifest of another format', async () => {
    await expect(readReleaseDir(dir)).rejects.toBeInstanceOf(ReleaseError);
    await writeReleaseDir(dir, release);
    await writeFile(join(dir, RELEASE_FILES.manifest), JSON.stringify({ format: 'other' }));
    await expect(readReleaseDir(dir)).rejects.toThrow(/not a heartline release manifest/);
  });
});
