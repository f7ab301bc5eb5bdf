/**
 * The jobs table as a queue shared by every cloud instance. An instance claims the oldest queued job
 * with `FOR UPDATE SKIP LOCKED` (instances claiming at once take different rows) and holds a lease it
 * renews while the job runs. Every write of the running instance is fenced by (claimed_by, attempts,
 * status = running): once its lease expired and the job was queued again, a late write changes nothing.
 * Times are the database's (`now()`), so the instances' clocks do not matter.
 */
import type { SqlDriver } from '../storage/driver.js';
import { JOB_COLUMNS, type JobRow } from './job-store.js';
import type { JobProgress, JobStatus } from './job-types.js';

/** One claim of a job by an instance; `attempt` is the job's claim count when it was taken. */
export interface Lease {
  readonly jobId: string;
  readonly instance: string;
  readonly attempt: number;
}

/** Takes the oldest queued job for `instance` with a lease of `leaseMs`; undefined when none waits. */
export async function claimNextJob(
  db: SqlDriver,
  instance: string,
  leaseMs: number,
): Promise<{ row: JobRow; lease: Lease } | undefined> {
  const { rows } = await db.query<JobRow & { attempts: number }>(
    `UPDATE jobs SET status = 'running', claimed_by = $1, attempts = attempts + 1,
       lease_until = now() + $2::double precision * interval '1 millisecond',
       cancel_requested = false, progress = NULL
     WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY submitted
                 LIMIT 1 FOR UPDATE SKIP LOCKED)
       AND status = 'queued'
     RETURNING ${JOB_COLUMNS}, attempts`,
    [instance, leaseMs],
  );
  const found = rows[0];
  if (!found) return undefined;
  const { attempts, ...row } = found;
  return { row, lease: { jobId: row.id, instance, attempt: attempts } };
}

/**
 * Extends the lease by `leaseMs` and stores the job's progress when given. Undefined when the lease is
 * lost (expired and taken over, or the job finished elsewhere); else whether a cancel was asked.
 */
export async function renewLease(
  db: SqlDriver,
  lease: Lease,
  leaseMs: number,
  progress?: JobProgress | null,
): Promise<{ cancelRequested: boolean } | undefined> {
  const { rows } = await db.query<{ cancel_requested: boolean }>(
    `UPDATE jobs SET lease_until = now() + $4::double precision * interval '1 millisecond',
       progress = CASE WHEN $5::boolean THEN $6::jsonb ELSE progress END
     WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 'running'
     RETURNING cancel_requested`,
    [
      lease.jobId,
      lease.instance,
      lease.attempt,
      leaseMs,
      progress !== undefined,
      progress ? JSON.stringify(progress) : null,
    ],
  );
  return rows[0] ? { cancelRequested: rows[0].cancel_requested } : undefined;
}

/** Records a claimed job's outcome; false when the lease was lost (nothing is written then). */
export async function settleJob(
  db: SqlDriver,
  lease: Lease,
  outcome: {
    status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled'>;
    progress: JobProgress | null;
    release: string | null;
    error: string | null;
  },
): Promise<boolean> {
  const { affectedRows } = await db.query(
    `UPDATE jobs SET status = $4, progress = $5::jsonb, release = $6, error = $7, finished = now(),
       lease_until = NULL
     WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 'running'`,
    [
      lease.jobId,
      lease.instance,
      lease.attempt,
      outcome.status,
      outcome.progress ? JSON.stringify(outcome.progress) : null,
      outcome.release,
      outcome.error,
    ],
  );
  return affectedRows === 1;
}

/** Gives a claimed job back to the queue as if it had not been claimed (an instance stopping). */
export async function returnJob(db: SqlDriver, lease: Lease): Promise<boolean> {
  const { affectedRows } = await db.query(
    `UPDATE jobs SET status = 'queued', attempts = attempts - 1, lease_until = NULL
     WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 'running'`,
    [lease.jobId, lease.instance, lease.attempt],
  );
  return affectedRows === 1;
}

/**
 * Jobs whose lease expired (their instance died or lost the database): queued again for another
 * attempt, failed after `maxAttempts` claims, cancelled when a cancel was asked. Rows running without a
 * lease were left by a version before leases and count as expired. Rows another instance is updating
 * (recovering them too, or renewing) are skipped, so instances recovering at once never wait on each other.
 */
export async function recoverExpiredJobs(
  db: SqlDriver,
  maxAttempts: number,
  failure: string,
): Promise<{ id: string; status: JobStatus; claimedBy: string | null; attempts: number }[]> {
  const { rows } = await db.query<{
    id: string;
    status: JobStatus;
    claimed_by: string | null;
    attempts: number;
  }>(
    `UPDATE jobs SET
       status = CASE WHEN cancel_requested THEN 'cancelled' WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
       error = CASE WHEN NOT cancel_requested AND attempts >= $1
                    THEN $2::text || ' (' || attempts || ' attempts)' ELSE error END,
       finished = CASE WHEN cancel_requested OR attempts >= $1 THEN now() ELSE finished END,
       lease_until = NULL
     WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND (lease_until IS NULL OR lease_until < now())
                  FOR UPDATE SKIP LOCKED)
     RETURNING id, status, claimed_by, attempts`,
    [maxAttempts, failure],
  );
  return rows.map((r) => ({ id: r.id, status: r.status, claimedBy: r.claimed_by, attempts: r.attempts }));
}
