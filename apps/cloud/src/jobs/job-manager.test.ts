import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { CLOUD_STOPPED, JobManager } from './job-manager.js';

let db: SqlDriver;
let releasesDir: string;

beforeAll(async () => {
  db = await openStorage();
  releasesDir = await mkdtemp(join(tmpdir(), 'heartline-jobs-'));
}, 60_000);

afterAll(async () => {
  await db?.close();
  if (releasesDir) await rm(releasesDir, { recursive: true, force: true });
});

function open(): Promise<JobManager> {
  const releases = new ReleaseCatalog(db, () => Promise.reject(new Error('no model loads here')));
  return JobManager.open({ db, releases, releasesDir });
}

describe('JobManager', () => {
  it('fails running and queued jobs when it stops, and finds them failed after a restart', async () => {
    const first = await open();
    const running = await first.submit({ kind: 'pretrain', preset: 'tiny', steps: 5000 });
    const queued = await first.submit({ kind: 'pretrain', preset: 'tiny' });
    expect(first.get(queued.id).status).toBe('queued');
    await expect
      .poll(() => first.get(running.id).progress?.stage, { timeout: 20_000, interval: 50 })
      .toBe('training');
    await first.close();
    for (const id of [running.id, queued.id])
      expect(first.get(id)).toMatchObject({ status: 'failed', error: CLOUD_STOPPED, release: null });
    expect(await readdir(releasesDir)).toEqual([]);

    // A cloud that died without closing leaves a row running: the next start fails it.
    await db.query(`UPDATE jobs SET status = 'running', error = NULL WHERE id = $1`, [running.id]);
    const second = await open();
    expect(second.list().map((j) => j.id)).toEqual([queued.id, running.id]);
    expect(second.get(running.id)).toMatchObject({ status: 'failed', error: CLOUD_STOPPED });
    const { history } = second.follow(running.id, () => undefined);
    expect(history).toEqual([{ event: 'failed', data: { error: CLOUD_STOPPED } }]);
    await second.close();
  }, 60_000);
});
