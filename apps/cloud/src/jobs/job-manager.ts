/**
 * Training jobs of one cloud instance: each runs in its own worker thread (TF.js training blocks the
 * thread it runs on, the API must not), one at a time with the rest queued. Events are forwarded to
 * listeners and kept as the job's history; a succeeded job's release is registered live; the jobs table
 * keeps the list across restarts.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { MIN_ALIGN_PAIRS } from '@heartline/trainer';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { registerReleaseDir } from '../releases/register-release-dir.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { listReleases } from '../storage/releases.js';
import { countAlignPairs, readAlignPairs, releasesSharingEcgEncoder } from './align-pairs-query.js';
import { failInterruptedJobs, insertJob, listJobs, updateJob } from './job-store.js';
import {
  isFinal,
  type JobEvent,
  type JobProgress,
  type JobSpec,
  type JobStatus,
  type JobSummary,
} from './job-types.js';
import { startJobWorker } from './start-job-worker.js';
import type { JobWorkerInput, JobWorkerMessage } from './worker-protocol.js';

/** Options of {@link JobManager.open}. */
export interface JobManagerOptions {
  readonly db: SqlDriver;
  readonly releases: ReleaseCatalog;
  /** Where releases are written (one directory per release). */
  readonly releasesDir: string;
  /** How long a cancelled job may take to stop before its thread is terminated, ms. Default 3000. */
  readonly cancelGraceMs?: number;
  readonly log?: (line: string) => void;
}

/** Events kept per job; older ones (log lines, mostly) are dropped first. */
const MAX_HISTORY = 2000;
/** Why jobs interrupted by a stopping cloud failed. */
export const CLOUD_STOPPED = 'cloud stopped';

type Listener = (event: JobEvent) => void;

interface Job {
  summary: JobSummary;
  readonly spec: JobSpec;
  readonly history: JobEvent[];
  readonly listeners: Set<Listener>;
  worker?: Worker;
  out?: string;
  cancelRequested?: boolean;
  readonly finished: Promise<void>;
  resolveFinished: () => void;
}

function newJob(summary: JobSummary, spec: JobSpec): Job {
  let resolveFinished = () => {};
  const finished = new Promise<void>((r) => {
    resolveFinished = r;
  });
  return { summary, spec, history: [], listeners: new Set(), finished, resolveFinished };
}

/** The final event a finished job's history ends with. */
function finalEvent(s: JobSummary): JobEvent | undefined {
  if (s.status === 'succeeded') return { event: 'done', data: { release: s.release ?? '' } };
  if (s.status === 'failed') return { event: 'failed', data: { error: s.error ?? 'failed' } };
  if (s.status === 'cancelled') return { event: 'cancelled', data: {} };
  return undefined;
}

/** Submits, runs, reports and cancels training jobs; see the file comment. */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private closing = false;
  private readonly log: (line: string) => void;

  private constructor(private readonly o: JobManagerOptions) {
    this.log = o.log ?? (() => {});
  }

  /** Loads the job list; jobs a previous run left queued or running are failed ('cloud stopped'). */
  static async open(options: JobManagerOptions): Promise<JobManager> {
    const manager = new JobManager(options);
    await failInterruptedJobs(options.db, CLOUD_STOPPED);
    for (const row of await listJobs(options.db)) {
      const { spec, ...summary } = row;
      const job = newJob(summary, spec);
      const last = finalEvent(summary);
      if (last) job.history.push(last);
      job.resolveFinished();
      manager.jobs.set(row.id, job);
    }
    return manager;
  }

  /** Validates and queues a job; refuses align jobs without enough linked embeddings (ConflictError). */
  async submit(spec: JobSpec): Promise<JobSummary> {
    if (this.closing) throw new ConflictError('the cloud is stopping');
    if (spec.kind === 'pretrain') {
      if (spec.parent !== undefined) throw new BadRequestError('parent is for align jobs only');
      if (spec.dataDir !== undefined) await this.checkDataDir(spec.dataDir);
    } else {
      if (spec.dataDir !== undefined)
        throw new BadRequestError('dataDir is for pretrain jobs; align jobs read stored embeddings');
      spec = { ...spec, parent: await this.resolveParent(spec.parent) };
      const pairs = await countAlignPairs(
        this.o.db,
        await releasesSharingEcgEncoder(this.o.db, spec.parent!),
      );
      if (pairs < MIN_ALIGN_PAIRS) {
        throw new ConflictError(
          `only ${pairs} stored embeddings of release '${spec.parent}' (or releases sharing its ECG encoder) have a linked clinical record; an align job needs at least ${MIN_ALIGN_PAIRS}`,
        );
      }
    }
    const created = new Date();
    const id = `job-${created.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    await insertJob(this.o.db, { id, kind: spec.kind, spec, created: created.toISOString() });
    const job = newJob(
      {
        id,
        kind: spec.kind,
        status: 'queued',
        created: created.toISOString(),
        progress: null,
        release: null,
        error: null,
      },
      spec,
    );
    this.jobs.set(id, job);
    this.queue.push(job);
    this.pump();
    return job.summary;
  }

  /** Every job, newest first. */
  list(): JobSummary[] {
    return [...this.jobs.values()].map((j) => j.summary).reverse();
  }

  /** One job; NotFoundError for an unknown id. */
  get(id: string): JobSummary {
    return this.job(id).summary;
  }

  /**
   * The job's history so far and a subscription to what follows (until its final event). Call the
   * returned function to stop listening.
   */
  follow(id: string, listener: Listener): { history: readonly JobEvent[]; stop: () => void } {
    const job = this.job(id);
    if (!isFinal(job.summary.status)) job.listeners.add(listener);
    return { history: [...job.history], stop: () => job.listeners.delete(listener) };
  }

  /** Cancels a queued or running job and resolves once it has stopped; ConflictError when already final. */
  async cancel(id: string): Promise<JobSummary> {
    const job = this.job(id);
    if (isFinal(job.summary.status)) throw new ConflictError(`job '${id}' is already ${job.summary.status}`);
    if (job.summary.status === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      await this.finish(job, 'cancelled', {});
      return job.summary;
    }
    job.cancelRequested = true;
    const worker = job.worker;
    if (worker) {
      worker.postMessage({ type: 'cancel' });
      const timer = setTimeout(() => void worker.terminate(), this.o.cancelGraceMs ?? 3000);
      await job.finished;
      clearTimeout(timer);
    } else await job.finished;
    return job.summary;
  }

  /** Stops: queued and running jobs fail with 'cloud stopped' (their threads are terminated). */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) await this.finish(job, 'failed', { error: CLOUD_STOPPED });
    const job = this.running;
    if (job && !isFinal(job.summary.status)) {
      if (job.worker) {
        // settle() records the failure once the thread has exited.
        await job.worker.terminate();
        await job.finished;
      } else await this.finish(job, 'failed', { error: CLOUD_STOPPED });
    }
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  private async checkDataDir(dir: string): Promise<void> {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory())
      throw new BadRequestError(`dataDir '${dir}' is not a directory on the server (a PTB-XL-layout folder)`);
  }

  /** The named release, or the newest live one. */
  private async resolveParent(parent: string | undefined): Promise<string> {
    const rows = await listReleases(this.o.db);
    if (parent !== undefined) {
      if (!rows.some((r) => r.id === parent)) throw new NotFoundError('release', parent);
      return parent;
    }
    const newest = rows.filter((r) => r.live).at(-1);
    if (!newest) throw new ConflictError('no release to align: train (pretrain) one first');
    return newest.id;
  }

  private pump(): void {
    if (this.running || this.closing) return;
    const next = this.queue.shift();
    if (!next) return;
    this.running = next;
    void this.run(next)
      .catch(async (e: Error) => {
        if (!isFinal(next.summary.status)) await this.finish(next, 'failed', { error: e.message });
      })
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }

  private async run(job: Job): Promise<void> {
    job.summary = { ...job.summary, status: 'running' };
    await updateJob(this.o.db, job.summary.id, { status: 'running' });
    this.record(job, { event: 'progress', data: { stage: 'starting', done: 0, total: 1 } });
    const out = join(this.o.releasesDir, job.summary.id);
    job.out = out;
    const input = await this.workerInput(job, out);
    if (isFinal(job.summary.status)) return; // close() failed it meanwhile
    if (job.cancelRequested) {
      await this.finish(job, 'cancelled', {});
      return;
    }
    const worker = startJobWorker(input);
    job.worker = worker;
    await new Promise<void>((resolve) => {
      let final: JobWorkerMessage | undefined;
      worker.on('message', (m: JobWorkerMessage) => {
        if (m.event === 'done' || m.event === 'failed' || m.event === 'cancelled') {
          final = m;
          void worker.terminate();
        } else this.record(job, m);
      });
      worker.on('error', (e) => {
        final ??= { event: 'failed', data: { error: e.message } };
      });
      worker.on('exit', (code) => {
        void this.settle(job, final, code).finally(resolve);
      });
    });
  }

  /** The worker's input: pretrain data folders, or the align pairs read from the database now. */
  private async workerInput(job: Job, out: string): Promise<JobWorkerInput> {
    const { spec } = job;
    if (spec.kind === 'pretrain') {
      return {
        kind: 'pretrain',
        out,
        preset: spec.preset ?? 'demo',
        steps: spec.steps,
        dataDirs: spec.dataDir !== undefined ? [spec.dataDir] : [],
      };
    }
    const parent = spec.parent!;
    const row = (await listReleases(this.o.db)).find((r) => r.id === parent);
    if (!row) throw new NotFoundError('release', parent);
    this.record(job, { event: 'progress', data: { stage: 'reading stored embeddings', done: 0, total: 1 } });
    const pairs = await readAlignPairs(this.o.db, await releasesSharingEcgEncoder(this.o.db, parent));
    this.record(job, {
      event: 'log',
      data: { line: `align: ${pairs.length} stored embeddings with linked records (parent ${parent})` },
    });
    return {
      kind: 'align',
      out,
      parentDir: row.dir,
      preset: spec.preset,
      steps: spec.steps,
      pairs,
      sources: { 'device embeddings': pairs.length },
    };
  }

  /** After the worker exits: registers a finished release, or records why there is none. */
  private async settle(job: Job, final: JobWorkerMessage | undefined, exitCode: number): Promise<void> {
    if (isFinal(job.summary.status)) return; // close() got there first
    const out = job.out!;
    if (final?.event === 'done') {
      try {
        const dir = join(this.o.releasesDir, final.data.release);
        await rename(out, dir);
        await registerReleaseDir(this.o.db, dir);
        await this.o.releases.refresh();
        this.log(`cloud: job ${job.summary.id} produced release ${final.data.release}`);
        await this.finish(job, 'succeeded', { release: final.data.release });
      } catch (e) {
        await this.finish(job, 'failed', { error: `release not registered: ${(e as Error).message}` });
      }
      return;
    }
    await rm(out, { recursive: true, force: true });
    if (this.closing) await this.finish(job, 'failed', { error: CLOUD_STOPPED });
    else if (job.cancelRequested || final?.event === 'cancelled') await this.finish(job, 'cancelled', {});
    else {
      const error = final?.event === 'failed' ? final.data.error : `job worker exited with code ${exitCode}`;
      await this.finish(job, 'failed', { error });
    }
  }

  /** Keeps an event in the job's history (a progress event replaces the previous one of its stage). */
  private record(job: Job, event: JobEvent): void {
    if (event.event === 'progress') {
      job.summary = { ...job.summary, progress: event.data as JobProgress };
      const last = job.history.at(-1);
      if (last?.event === 'progress' && last.data.stage === event.data.stage) job.history.pop();
    }
    job.history.push(event);
    if (job.history.length > MAX_HISTORY) job.history.shift();
    for (const listener of job.listeners) listener(event);
  }

  private async finish(
    job: Job,
    status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled'>,
    outcome: { release?: string; error?: string },
  ): Promise<void> {
    job.summary = {
      ...job.summary,
      status,
      release: outcome.release ?? null,
      error: outcome.error ?? null,
    };
    await updateJob(this.o.db, job.summary.id, {
      status,
      progress: job.summary.progress,
      release: outcome.release ?? null,
      error: outcome.error ?? null,
      final: true,
    }).catch((e: Error) => this.log(`cloud: job ${job.summary.id}: ${e.message}`));
    const last = finalEvent(job.summary);
    if (last) this.record(job, last);
    job.listeners.clear();
    job.resolveFinished();
  }
}
