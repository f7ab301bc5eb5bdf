/** The `jobs` table: every job's request, status and outcome, so the list survives restarts. */
import type { SqlDriver } from '../storage/driver.js';
import type { JobKind, JobProgress, JobSpec, JobStatus, JobSummary } from './job-types.js';

/** A job row as stored. */
export interface JobRow extends JobSummary {
  readonly spec: JobSpec;
}

const COLUMNS = `id, kind, status, spec, progress, release, error,
  to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created`;

/** Inserts a queued job. */
export async function insertJob(
  db: SqlDriver,
  job: { id: string; kind: JobKind; spec: JobSpec; created: string },
): Promise<void> {
  await db.query(`INSERT INTO jobs (id, kind, status, spec, created) VALUES ($1, $2, 'queued', $3, $4)`, [
    job.id,
    job.kind,
    JSON.stringify(job.spec),
    job.created,
  ]);
}

/** Updates a job's status (and, for final statuses, its outcome and finish time). */
export async function updateJob(
  db: SqlDriver,
  id: string,
  change: {
    status: JobStatus;
    progress?: JobProgress | null;
    release?: string | null;
    error?: string | null;
    final?: boolean;
  },
): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = $2,
       progress = CASE WHEN $3::boolean THEN $4::jsonb ELSE progress END,
       release = coalesce($5, release), error = coalesce($6, error),
       finished = CASE WHEN $7::boolean THEN now() ELSE finished END
     WHERE id = $1`,
    [
      id,
      change.status,
      change.progress !== undefined,
      change.progress ? JSON.stringify(change.progress) : null,
      change.release ?? null,
      change.error ?? null,
      change.final ?? false,
    ],
  );
}

/** Marks jobs left queued or running by a cloud that stopped as failed; returns how many. */
export async function failInterruptedJobs(db: SqlDriver, reason: string): Promise<number> {
  const { affectedRows } = await db.query(
    `UPDATE jobs SET status = 'failed', error = $1, finished = now() WHERE status IN ('queued', 'running')`,
    [reason],
  );
  return affectedRows;
}

/** Every job, oldest first. */
export async function listJobs(db: SqlDriver): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(`SELECT ${COLUMNS} FROM jobs ORDER BY created, id`);
  return rows;
}
