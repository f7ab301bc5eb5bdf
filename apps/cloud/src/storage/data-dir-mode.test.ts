import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../cloud.js';
import { openStorage } from './open-storage.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-data-dir-mode-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe.skipIf(process.platform === 'win32')('the data directory', () => {
  it('is created owner-only (0700) by the cloud and the database', async () => {
    const cloud = await startCloud({
      dataDir: join(work, 'cloud', 'data'),
      mqttPort: 0,
      log: () => undefined,
    });
    try {
      expect(await modeOf(join(work, 'cloud', 'data'))).toBe(0o700);
    } finally {
      await cloud.close();
    }
    const db = await openStorage({ dataDir: join(work, 'db') });
    await db.close();
    expect(await modeOf(join(work, 'db'))).toBe(0o700);
  }, 180_000);
});
