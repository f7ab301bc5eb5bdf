/**
 * The `jobs` table: every job's request, status and outcome, read the same by every cloud instance.
 * It is also the queue instances take jobs from: claims and leases are in `job-queue.ts`.
 */
import type { SqlDriver } from '../storage/driver.js';
import type { JobKind, JobSpec, JobSummary } from './job-types.js';

/** A job row as stored. */
export interface JobRow extends JobSummary {
  readonly spec: JobSpec;
}

/** The columns of a {@link JobRow}. */
export const JOB_COLUMNS = `id, kind, status, spec, progress, release, error,
  to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created`;

/** A row without its request: the job as the API shows it. */
export function jobSummary(row: JobRow): JobSummary {
  const { spec: _spec, ...summary } = row;
  return summary;
}

/**
 * Inserts a queued job; false when its idempotency key is already taken (the job submitted first with
 * that key stays, see {@link findJobByIdempotencyKey}).
 */
export async function insertJob(
  db: SqlDriver,
  job: {
    id: string;
    kind: JobKind;
    spec: JobSpec;
    created: string;
    idempotency?: { key: string; requestHash: string } | undefined;
  },
): Promise<boolean> {
  const { affectedRows } = await db.query(
    `INSERT INTO jobs (id, kind, status, spec, created, idempotency_key, request_hash)
     VALUES ($1, $2, 'queued', $3, $4, $5, $6)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      job.id,
      job.kind,
      JSON.stringify(job.spec),
      job.created,
      job.idempotency?.key ?? null,
      job.idempotency?.requestHash ?? null,
    ],
  );
  return affectedRows === 1;
}

/** The job submitted with an idempotency key, and the hash of the request it came with. */
export async function findJobByIdempotencyKey(
  db: SqlDriver,
  key: string,
): Promise<{ row: JobRow; requestHash: string | null } | undefined> {
  const { rows } = await db.query<JobRow & { request_hash: string | null }>(
    `SELECT ${JOB_COLUMNS}, request_hash FROM jobs WHERE idempotency_key = $1`,
    [key],
  );
  const found = rows[0];
  if (!found) return undefined;
  const { request_hash, ...row } = found;
  return { row, requestHash: request_hash };
}

/** One job, or undefined. */
export async function getJob(db: SqlDriver, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]);
  return rows[0];
}

/** Several jobs by id (those that exist, in no particular order). */
export async function getJobs(db: SqlDriver, ids: readonly string[]): Promise<JobRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ANY($1::text[])`, [
    ids,
  ]);
  return rows;
}

/** Every job, newest first. */
export async function listJobs(db: SqlDriver): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs ORDER BY submitted DESC`);
  return rows;
}

/** Cancels a job that is still queued (no instance took it); false when it is not queued. */
export async function cancelQueuedJob(db: SqlDriver, id: string): Promise<boolean> {
  const { affectedRows } = await db.query(
    `UPDATE jobs SET status = 'cancelled', finished = now() WHERE id = $1 AND status = 'queued'`,
    [id],
  );
  return affectedRows === 1;
}

/**
 * Asks the instance running a job to cancel it (it sees the flag when it renews its lease); false when
 * the job is not running.
 */
export async function requestJobCancel(db: SqlDriver, id: string): Promise<boolean> {
  const { affectedRows } = await db.query(
    `UPDATE jobs SET cancel_requested = true WHERE id = $1 AND status = 'running'`,
    [id],
  );
  return affectedRows === 1;
}
