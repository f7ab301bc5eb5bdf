/**
 * What the metrics read from the database when scraped: jobs by status, the current release of each
 * channel, and how many stored embeddings the in-process vector index has not read yet.
 */
import type { JobStatus } from '../jobs/job-types.js';
import type { SqlDriver } from '../storage/driver.js';

/** Every status a job can have (the `jobs.status` check). */
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** Jobs per status, every status present (0 when none). */
export async function jobsByStatus(db: Pick<SqlDriver, 'query'>): Promise<Map<JobStatus, number>> {
  const { rows } = await db.query<{ status: JobStatus; n: number }>(
    'SELECT status, count(*)::int AS n FROM jobs GROUP BY status',
  );
  const counts = new Map<JobStatus, number>(JOB_STATUSES.map((s) => [s, 0]));
  for (const row of rows) counts.set(row.status, Number(row.n));
  return counts;
}

/** One channel's current release and the last thing that happened on it. */
export interface ChannelRelease {
  readonly channel: string;
  /** The release whose manifest the channel publishes now. */
  readonly release: string;
  /** The last channel event: `rollout`, `rollback` or `auto-rollback`. */
  readonly lastAction: string;
  /** When the current manifest was published, s since the epoch. */
  readonly since: number;
}

/**
 * The current release of every channel (the newest `rollouts` row: a rollback's row names the release
 * published again) with the channel's last event (`channel_events`: only it tells an automatic rollback
 * from an operator's).
 */
export async function channelReleases(db: Pick<SqlDriver, 'query'>): Promise<ChannelRelease[]> {
  const { rows } = await db.query<{ channel: string; release: string; action: string; since: number }>(
    `SELECT r.channel, r.release, coalesce(e.action, r.action) AS action,
            extract(epoch FROM r.created)::float8 AS since
     FROM (SELECT DISTINCT ON (channel) channel, release, action, created FROM rollouts
           ORDER BY channel, id DESC) r
     LEFT JOIN (SELECT DISTINCT ON (channel) channel, action FROM channel_events
                ORDER BY channel, id DESC) e USING (channel)
     ORDER BY r.channel`,
  );
  return rows.map((r) => ({
    channel: r.channel,
    release: r.release,
    lastAction: r.action,
    since: Number(r.since),
  }));
}

/** Stored embeddings with an id above `followedId` (not yet read by the in-process index). */
export async function rowsAbove(db: Pick<SqlDriver, 'query'>, followedId: bigint): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::float8 AS n FROM embeddings WHERE id > $1',
    [followedId.toString()],
  );
  return Number(rows[0]?.n ?? 0);
}
