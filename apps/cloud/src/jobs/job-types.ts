/**
 * Training jobs as the API and the job manager see them: what was asked, where a job stands, and the
 * events it reports (also the Server-Sent Events of `GET /jobs/{id}/events`).
 */
import type { EpochRecord, RecipeName } from '@heartline/trainer';
import type { JobProgress, Job as JobSummary } from '../http/routes/jobs.js';

/** What a job trains: a full release from raw ECGs, or an alignment on stored device embeddings. */
export type JobKind = JobSummary['kind'];

/** Where a job stands; the last three are final. */
export type JobStatus = JobSummary['status'];

/** A job request (validated at the HTTP edge). */
export interface JobSpec {
  readonly kind: JobKind;
  /** Recipe; pretrain default `demo`, align default the parent's preset. */
  readonly preset?: RecipeName | undefined;
  /** Step-count override. */
  readonly steps?: number | undefined;
  /** pretrain: a PTB-XL-layout folder on the server; without it, the preset's synthetic data. */
  readonly dataDir?: string | undefined;
  /** align: the release whose ECG encoder is frozen; default the newest live release. */
  readonly parent?: string | undefined;
}

/** The last progress report of a running job, and one job as `GET /jobs` lists it. */
export type { JobProgress, JobSummary };

/** One event of a job's history (the SSE event name and its JSON data). */
export type JobEvent =
  | { readonly event: 'progress'; readonly data: JobProgress }
  | { readonly event: 'epoch'; readonly data: EpochRecord }
  | { readonly event: 'log'; readonly data: { readonly line: string } }
  | { readonly event: 'done'; readonly data: { readonly release: string } }
  | { readonly event: 'failed'; readonly data: { readonly error: string } }
  | { readonly event: 'cancelled'; readonly data: Record<string, never> };

/** True for the statuses a job never leaves. */
export function isFinal(status: JobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/** The event a finished job's history ends with; undefined while it is queued or running. */
export function finalEvent(job: JobSummary): JobEvent | undefined {
  if (job.status === 'succeeded') return { event: 'done', data: { release: job.release ?? '' } };
  if (job.status === 'failed') return { event: 'failed', data: { error: job.error ?? 'failed' } };
  if (job.status === 'cancelled') return { event: 'cancelled', data: {} };
  return undefined;
}
