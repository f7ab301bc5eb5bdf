/**
 * The queue's SQL on PGlite and on a real PostgreSQL server (when installed). On the server, the
 * instances claiming at once use connections of their own (a pool), so FOR UPDATE SKIP LOCKED is what
 * keeps their claims apart.
 */
import { databaseTargets, stopTestPostgres } from '@heartline/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { claimNextJob, recoverExpiredJobs, renewLease, returnJob, settleJob } from './job-queue.js';
import { insertJob } from './job-store.js';

afterAll(stopTestPostgres);

describe.each(databaseTargets())('the jobs queue on $name', (target) => {
  let db: SqlDriver;
  beforeAll(async () => {
    db = await openStorage({ databaseUrl: await target.newDatabase() });
  }, 60_000);
  beforeEach(async () => {
    await db.query('DELETE FROM jobs');
  });
  afterAll(() => db?.close());

  async function queue(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `job-${String(i).padStart(3, '0')}`;
      const created = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
      await insertJob(db, { id, kind: 'pretrain', spec: { kind: 'pretrain' }, created });
      ids.push(id);
    }
    return ids;
  }

  describe('claims and leases', () => {
    it('hands every queued job to exactly one of the instances claiming at once, oldest first', async () => {
      const ids = await queue(40);
      const taken = new Map<string, string[]>();
      const claimer = async (instance: string) => {
        for (;;) {
          const claim = await claimNextJob(db, instance, 60_000);
          if (!claim) return;
          taken.set(claim.row.id, [...(taken.get(claim.row.id) ?? []), instance]);
        }
      };
      await Promise.all(['a', 'b', 'c', 'd'].map(claimer));
      expect([...taken.keys()].sort()).toEqual(ids);
      expect([...taken.values()].every((by) => by.length === 1)).toBe(true);
      expect(new Set([...taken.values()].flat()).size).toBeGreaterThan(1);
    });

    it('claims in submission order when jobs share a creation time (PGlite keeps now() to 10 ms)', async () => {
      const created = new Date(Date.UTC(2026, 0, 1)).toISOString();
      // Ids sort the other way round from submission.
      const ids = ['job-z', 'job-m', 'job-a'];
      for (const id of ids)
        await insertJob(db, { id, kind: 'pretrain', spec: { kind: 'pretrain' }, created });
      const claimed: string[] = [];
      for (let i = 0; i < ids.length; i++) claimed.push((await claimNextJob(db, 'a', 60_000))!.row.id);
      expect(claimed).toEqual(ids);
    });

    it('fences a lost lease: renewals and outcomes of an earlier attempt change nothing', async () => {
      await queue(1);
      const first = (await claimNextJob(db, 'a', 60_000))!;
      expect(await renewLease(db, first.lease, 60_000, { stage: 'training', done: 1, total: 9 })).toEqual({
        cancelRequested: false,
      });
      // Its lease runs out (the instance stalled): recovery queues the job, another instance claims it.
      await db.query(`UPDATE jobs SET lease_until = now() - interval '1 millisecond'`);
      expect(await recoverExpiredJobs(db, 3, 'gone')).toEqual([
        { id: 'job-000', status: 'queued', claimedBy: 'a', attempts: 1 },
      ]);
      const second = (await claimNextJob(db, 'b', 60_000))!;
      expect(second.lease).toEqual({ jobId: 'job-000', instance: 'b', attempt: 2 });
      expect(await renewLease(db, first.lease, 60_000)).toBeUndefined();
      const outcome = { status: 'succeeded', progress: null, release: 'r-late', error: null } as const;
      expect(await settleJob(db, first.lease, outcome)).toBe(false);
      expect(await returnJob(db, first.lease)).toBe(false);
      expect(await settleJob(db, second.lease, { ...outcome, release: 'r-ok' })).toBe(true);
      const { rows } = await db.query('SELECT status, release, claimed_by, attempts, lease_until FROM jobs');
      expect(rows).toEqual([
        { status: 'succeeded', release: 'r-ok', claimed_by: 'b', attempts: 2, lease_until: null },
      ]);
    });

    it('gives a job back to the queue as unclaimed', async () => {
      await queue(1);
      const claim = (await claimNextJob(db, 'a', 60_000))!;
      expect(await returnJob(db, claim.lease)).toBe(true);
      expect((await claimNextJob(db, 'b', 60_000))?.lease.attempt).toBe(1);
    });
  });
});
