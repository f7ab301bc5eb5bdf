import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeDataset } from './write-dataset.js';

describe('writeDataset', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes text and bytes into nested folders it creates', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hl-ds-'));
    const files = new Map<string, string | Uint8Array>([
      ['ptbxl_database.csv', 'ecg_id\n1\n'],
      ['records500/00000/00001_hr.dat', new Uint8Array([1, 2, 255])],
    ]);
    expect(await writeDataset(dir, files)).toBe(2);
    expect(await readFile(join(dir, 'ptbxl_database.csv'), 'utf8')).toBe('ecg_id\n1\n');
    expect([...(await readFile(join(dir, 'records500/00000/00001_hr.dat')))]).toEqual([1, 2, 255]);
  });

  it("refuses a path that climbs out of the folder ('../evil.txt')", async () => {
    dir = await mkdtemp(join(tmpdir(), 'hl-ds-'));
    await expect(writeDataset(join(dir, 'out'), new Map([['../evil.txt', 'x']]))).rejects.toThrow(
      /inside the output folder/,
    );
  });
});
