/**
 * Who listens to which job's events on one instance. A job this instance runs delivers its events
 * itself (every one: progress, epochs, log lines); a job another instance runs, or that waits in the
 * queue, is followed through its row, polled: a changed `progress` becomes a progress event and a final
 * status the final event.
 */
import type { SqlDriver } from '../storage/driver.js';
import { getJobs } from './job-store.js';
import { finalEvent, type JobEvent, type JobProgress } from './job-types.js';

/** Told every event of a followed job, up to its final one. */
export type JobListener = (event: JobEvent) => void;

interface Follower {
  readonly listener: JobListener;
  /** The last progress it was told, keys sorted (rows and workers order them differently). */
  lastProgress: string;
}

const progressKey = (p: JobProgress | null) => (p ? JSON.stringify(p, Object.keys(p).sort()) : 'null');

/** The listeners of one instance, by job. */
export class JobFollowers {
  private readonly byJob = new Map<string, Set<Follower>>();

  /** Adds a listener that has seen `progress` already; returns its unsubscribe. */
  add(id: string, listener: JobListener, progress: JobProgress | null): () => void {
    const follower: Follower = { listener, lastProgress: progressKey(progress) };
    const set = this.byJob.get(id) ?? new Set<Follower>();
    this.byJob.set(id, set.add(follower));
    return () => {
      const current = this.byJob.get(id);
      current?.delete(follower);
      if (current?.size === 0) this.byJob.delete(id);
    };
  }

  /** Tells a job's listeners an event; its final event ends their subscriptions. */
  deliver(id: string, event: JobEvent): void {
    const set = this.byJob.get(id);
    if (!set) return;
    const final = event.event === 'done' || event.event === 'failed' || event.event === 'cancelled';
    if (final) this.byJob.delete(id);
    for (const follower of set) {
      if (event.event === 'progress') follower.lastProgress = progressKey(event.data);
      follower.listener(event);
    }
  }

  /** Reads the rows of the followed jobs `polled` accepts (those not running here) and tells what changed. */
  async poll(db: SqlDriver, polled: (id: string) => boolean): Promise<void> {
    const ids = [...this.byJob.keys()].filter(polled);
    for (const row of await getJobs(db, ids)) {
      const set = this.byJob.get(row.id);
      if (!set || !polled(row.id)) continue; // ended or taken by this instance meanwhile
      const progress = progressKey(row.progress);
      for (const follower of set) {
        if (row.progress && follower.lastProgress !== progress) {
          follower.lastProgress = progress;
          follower.listener({ event: 'progress', data: row.progress });
        }
      }
      const last = finalEvent(row);
      if (last) this.deliver(row.id, last);
    }
  }

  /** Drops every listener (the instance stops). */
  clear(): void {
    this.byJob.clear();
  }
}
