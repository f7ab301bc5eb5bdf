/**
 * Job managers of several cloud instances on one database (PGlite in memory), with real training in
 * worker threads (the `tiny` preset: a one-step job takes a few seconds). A dead instance is played by
 * its rows: what a SIGKILLed process leaves is a `running` row with its lease, and nothing renews it.
 * PGlite has one connection, so its instances' statements never overlap; the last block runs two
 * instances with connection pools of their own on a real PostgreSQL server (when installed), where the
 * claim's FOR UPDATE SKIP LOCKED is what keeps them apart.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseTargets, stopTestPostgres } from '@heartline/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { CLOUD_STOPPED, JobManager, type JobManagerOptions, LEASE_EXPIRED } from './job-manager.js';
import type { JobEvent, JobSpec } from './job-types.js';

let db: SqlDriver;
let work: string;
let releasesDir: string;
const opened: JobManager[] = [];

beforeAll(async () => {
  db = await openStorage();
  work = await mkdtemp(join(tmpdir(), 'heartline-jobs-'));
}, 60_000);

beforeEach(async () => {
  await db.query('DELETE FROM jobs');
  releasesDir = await mkdtemp(join(work, 'releases-'));
});

afterEach(async () => {
  for (const manager of opened.splice(0)) await manager.close();
});

afterAll(async () => {
  await db?.close();
  await stopTestPostgres();
  if (work) await rm(work, { recursive: true, force: true });
});

/** An instance's job manager, polling fast, with its log lines. */
async function instance(
  name: string,
  options: Partial<JobManagerOptions> = {},
): Promise<{ jobs: JobManager; lines: string[] }> {
  const lines: string[] = [];
  const on = options.db ?? db;
  const releases = new ReleaseCatalog(on, () => Promise.reject(new Error('no model loads here')));
  const jobs = await JobManager.open({
    db,
    releases,
    releasesDir,
    instanceId: name,
    pollMs: 20,
    // Long enough that a loaded machine (CI runs test files side by side on two cores) never lets a live
    // instance's lease lapse: a lapsed lease re-queues the job and frees the instance for the next one
    // (a queued job then ran while the test expected it queued). Expiry is tested with rows written as a
    // dead instance leaves them.
    leaseMs: 15_000,
    log: (line) => lines.push(line),
    ...options,
  });
  opened.push(jobs);
  return { jobs, lines };
}

const QUICK: JobSpec = { kind: 'pretrain', preset: 'tiny', steps: 1 };
const LONG: JobSpec = { kind: 'pretrain', preset: 'tiny', steps: 5000 };

/** The attempts the log lines report starting, as `job#attempt`. */
const starts = (lines: readonly string[]) =>
  lines.flatMap((l) => {
    const m = / job (\S+) started on \S+ \(attempt (\d+)\)/.exec(l);
    return m ? [`${m[1]}#${m[2]}`] : [];
  });

async function row(id: string, on = db) {
  const { rows } = await on.query<{ status: string; attempts: number; claimed_by: string | null }>(
    'SELECT status, attempts, claimed_by FROM jobs WHERE id = $1',
    [id],
  );
  return rows[0];
}

const until = (check: () => Promise<unknown> | unknown, timeout = 60_000) =>
  expect.poll(check, { timeout, interval: 25 });

type Instance = Awaited<ReturnType<typeof instance>>;

/** Submits N jobs alternately to `a` and `b` and checks each ran once, on one of them. */
async function runsEachJobOnce(a: Instance, b: Instance, on: SqlDriver): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push((await (i % 2 ? b : a).jobs.submit(QUICK)).id);
  for (const id of ids) await until(async () => (await a.jobs.get(id)).status, 120_000).toBe('succeeded');
  const all = [...starts(a.lines), ...starts(b.lines)].sort();
  expect(all).toEqual(ids.map((id) => `${id}#1`).sort());
  // Both took part, and each answers for the other's jobs from the table.
  expect(starts(a.lines).length).toBeGreaterThan(0);
  expect(starts(b.lines).length).toBeGreaterThan(0);
  const fromA = await a.jobs.list();
  const fromB = await b.jobs.list();
  expect(fromB).toEqual(fromA);
  expect(new Set(fromA.map((j) => j.release)).size).toBe(ids.length);
  for (const id of ids) expect(await row(id, on)).toMatchObject({ status: 'succeeded', attempts: 1 });
}

describe('JobManager on one database with several instances', () => {
  it('runs each of N jobs exactly once, whichever instance they were submitted to', async () => {
    await runsEachJobOnce(await instance('a'), await instance('b'), db);
  }, 180_000);

  it('answers for a job another instance runs: get, list, follow, and a cancel that reaches it', async () => {
    const a = await instance('a');
    const { id } = await a.jobs.submit(LONG);
    await until(async () => (await row(id))?.claimed_by).toBe('a');
    const b = await instance('b');
    // The running instance stores progress in the row; the other reads it there.
    await until(async () => (await b.jobs.get(id)).progress?.stage).toBe('training');
    expect((await b.jobs.list()).find((j) => j.id === id)?.status).toBe('running');
    const seen: JobEvent[] = [];
    const { history } = await b.jobs.follow(id, (event) => seen.push(event));
    expect(history).toEqual([{ event: 'progress', data: expect.objectContaining({ stage: 'training' }) }]);
    await until(() => seen.length).toBeGreaterThan(0); // progress moves on
    expect(await b.jobs.cancel(id)).toMatchObject({ id, status: 'cancelled', release: null });
    await until(() => seen.at(-1)?.event).toBe('cancelled');
    expect(await a.jobs.get(id)).toMatchObject({ status: 'cancelled' });
    await expect(a.jobs.cancel(id)).rejects.toBeInstanceOf(ConflictError);
    expect(starts([...a.lines, ...b.lines])).toEqual([`${id}#1`]);
  }, 90_000);

  it('takes over the job of an instance that died once its lease expires; fails it after the last attempt', async () => {
    const spec = JSON.stringify(QUICK);
    await db.query(
      `INSERT INTO jobs (id, kind, status, spec, claimed_by, attempts, lease_until, cancel_requested) VALUES
         ('job-orphan', 'pretrain', 'running', $1, 'dead', 1, now() + interval '300 milliseconds', false),
         ('job-worn-out', 'pretrain', 'running', $1, 'dead', 3, now() - interval '1 second', false),
         ('job-cancelled-orphan', 'pretrain', 'running', $1, 'dead', 1, now() - interval '1 second', true)`,
      [spec],
    );
    const b = await instance('b');
    await until(async () => (await b.jobs.get('job-orphan')).status, 90_000).toBe('succeeded');
    expect(await row('job-orphan')).toMatchObject({ attempts: 2, claimed_by: 'b' });
    expect(starts(b.lines)).toEqual(['job-orphan#2']);
    expect(b.lines.join('\n')).toContain('job job-orphan: lease of dead expired after attempt 1; now queued');
    expect(await b.jobs.get('job-worn-out')).toMatchObject({
      status: 'failed',
      error: `${LEASE_EXPIRED} (3 attempts)`,
    });
    expect(await b.jobs.get('job-cancelled-orphan')).toMatchObject({ status: 'cancelled', error: null });
  }, 120_000);

  it('stops a job whose lease it lost before the job runs again (no two runs at once)', async () => {
    const a = await instance('a');
    const { id } = await a.jobs.submit(LONG);
    await until(async () => (await a.jobs.get(id)).progress?.stage).toBe('training');
    // What another instance's recovery does once the lease expired (e.g. this one stalled).
    await db.query(`UPDATE jobs SET status = 'queued', lease_until = NULL WHERE id = $1`, [id]);
    await until(() => starts(a.lines)).toEqual([`${id}#1`, `${id}#2`]);
    const lost = a.lines.findIndex((l) => l.includes(`job ${id}: lease lost (attempt 1)`));
    const again = a.lines.findIndex((l) => l.includes(`job ${id} started`) && l.includes('(attempt 2)'));
    expect(lost).toBeGreaterThan(-1);
    expect(again).toBeGreaterThan(lost);
    // The lost attempt's output is gone; only the running attempt writes.
    expect((await readdir(releasesDir)).filter((d) => d.includes('attempt-1'))).toEqual([]);
    expect(await a.jobs.cancel(id)).toMatchObject({ status: 'cancelled' });
    expect(await row(id)).toMatchObject({ status: 'cancelled', attempts: 2 });
  }, 90_000);

  it('fails its running job when it stops cleanly and leaves queued jobs to the other instances', async () => {
    const a = await instance('a');
    const running = await a.jobs.submit(LONG);
    const queued = await a.jobs.submit(QUICK);
    await until(async () => (await a.jobs.get(running.id)).progress?.stage).toBe('training');
    await a.jobs.close();
    expect(await a.jobs.get(running.id)).toMatchObject({
      status: 'failed',
      error: CLOUD_STOPPED,
      release: null,
    });
    expect((await a.jobs.get(queued.id)).status).toBe('queued');
    expect(await readdir(releasesDir)).toEqual([]);
    await expect(a.jobs.submit(QUICK)).rejects.toBeInstanceOf(ConflictError);

    const b = await instance('b');
    const { history } = await b.jobs.follow(running.id, () => undefined);
    expect(history).toEqual([{ event: 'failed', data: { error: CLOUD_STOPPED } }]);
    await until(async () => (await b.jobs.get(queued.id)).status, 90_000).toBe('succeeded');
    expect(starts(b.lines)).toEqual([`${queued.id}#1`]);
  }, 120_000);

  it('gives a retried submission with the same idempotency key the same job, on any instance', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const key = 'retry-8e03978e-40d5';
    const submitted = await Promise.all([
      a.jobs.submit(QUICK, { idempotencyKey: key }),
      b.jobs.submit(QUICK, { idempotencyKey: key }),
      a.jobs.submit({ ...QUICK }, { idempotencyKey: key }),
    ]);
    const id = submitted[0]!.id;
    expect(submitted.map((j) => j.id)).toEqual([id, id, id]);
    await expect(a.jobs.submit({ ...QUICK, steps: 2 }, { idempotencyKey: key })).rejects.toThrow(
      /another request/,
    );
    const other = await b.jobs.submit(QUICK);
    expect(other.id).not.toBe(id);
    await until(async () => (await a.jobs.get(id)).status, 90_000).toBe('succeeded');
    expect((await b.jobs.submit(QUICK, { idempotencyKey: key })).status).toBe('succeeded');
    const { rows } = await db.query('SELECT id FROM jobs WHERE idempotency_key = $1', [key]);
    expect(rows).toEqual([{ id }]);
    expect(starts([...a.lines, ...b.lines]).filter((s) => s.startsWith(id))).toEqual([`${id}#1`]);
  }, 120_000);
});

// Two instances as deployed: each with its own connection pool to one PostgreSQL database.
for (const target of databaseTargets().filter((t) => t.name !== 'PGlite')) {
  describe(`JobManager instances on ${target.name}, each with connections of its own`, () => {
    it('runs each of N jobs exactly once', async () => {
      const url = await target.newDatabase();
      const pools = [await openStorage({ databaseUrl: url }), await openStorage({ databaseUrl: url })];
      try {
        const a = await instance('a', { db: pools[0]! });
        const b = await instance('b', { db: pools[1]! });
        await runsEachJobOnce(a, b, pools[0]!);
        await a.jobs.close();
        await b.jobs.close();
      } finally {
        for (const pool of pools) await pool.close();
      }
    }, 180_000);
  });
}
