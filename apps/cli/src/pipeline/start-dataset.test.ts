import { appendFile, cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@heartline/ecg/synth';
import { openPtbxlFolder, writeDataset } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetReleaseName, openStartDataset } from './start-dataset.js';

describe('openStartDataset', () => {
  let work = '';
  let folder = '';
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hl-start-dataset-'));
    folder = join(work, 'My PTB-XL');
    await writeDataset(folder, generateDataset({ n: 12, seed: 4 }));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('counts the records it trains on (folds 1–8) apart from the held-out folds 9 and 10', async () => {
    const dataset = await openStartDataset(folder);
    const { rows } = await openPtbxlFolder(folder, { includeSignals: false });
    const heldOut = rows.filter((r) => r.stratFold >= 9).length;
    expect(dataset).toMatchObject({ rows: 12, present: 12, heldOut, trainable: 12 - heldOut });
    expect(dataset.identity).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives the same folder the same identity, through a symbolic link too', async () => {
    const link = join(work, 'link');
    await symlink(folder, link);
    const a = await openStartDataset(folder);
    const b = await openStartDataset(link);
    expect(b.identity).toBe(a.identity);
    expect(b.dir).toBe(a.dir);
  });

  it('gives a copy elsewhere, or a changed database file, another identity', async () => {
    const copy = join(work, 'copy');
    await cp(folder, copy, { recursive: true });
    const original = await openStartDataset(folder);
    const copied = await openStartDataset(copy);
    expect(copied.identity).not.toBe(original.identity);
    await appendFile(join(copy, 'ptbxl_database.csv'), '\n');
    expect((await openStartDataset(copy)).identity).not.toBe(copied.identity);
  });

  it('names the release by preset, folder name and identity', async () => {
    const dataset = await openStartDataset(folder);
    expect(datasetReleaseName(dataset, 'tiny')).toBe(`bootstrap-tiny-my-ptb-xl-${dataset.identity}`);
    expect(datasetReleaseName(dataset, 'demo')).not.toBe(datasetReleaseName(dataset, 'tiny'));
  });

  it('says what a PTB-XL-layout folder holds when given another folder', async () => {
    const other = join(work, 'not-ptbxl');
    await mkdir(other);
    await expect(openStartDataset(other)).rejects.toThrow(
      /missing scp_statements\.csv; heartline start --dataset expects a PTB-XL-layout folder: ptbxl_database\.csv, scp_statements\.csv and records100\//,
    );
    await expect(openStartDataset(join(work, 'absent'))).rejects.toThrow(/no such folder; heartline start/);
  });

  it('refuses a folder without 100 Hz records', async () => {
    const only500 = join(work, 'only-500');
    await cp(folder, only500, { recursive: true });
    await rm(join(only500, 'records100'), { recursive: true });
    await expect(openStartDataset(only500)).rejects.toThrow(/none of its 12 rows has a 100 Hz record/);
  });
});
