/**
 * Training jobs of a cloud made of one or more instances sharing a database. A submitted job is a
 * `queued` row; every instance's manager takes queued jobs from the table (job-queue.ts: claim with
 * `FOR UPDATE SKIP LOCKED`, lease renewed while the job runs) and runs one at a time, each in its own
 * worker thread (TF.js training blocks the thread it runs on, the API must not). A job whose instance
 * died is queued again when its lease expires; one whose instance stops cleanly fails ('cloud stopped').
 * Any instance answers for any job from the table; the instance running it also keeps its full event
 * history (log lines, epochs) and tells it to the listeners it has.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { MIN_ALIGN_PAIRS } from '@heartline/trainer';
import { BadRequestError, ConflictError, NotFoundError, StorageError } from '../errors.js';
import { registerReleaseDir } from '../releases/register-release-dir.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { listReleases } from '../storage/releases.js';
import { countAlignPairs, readAlignPairs, releasesSharingEcgEncoder } from './align-pairs-query.js';
import { JobFollowers, type JobListener } from './job-followers.js';
import {
  claimNextJob,
  type Lease,
  recoverExpiredJobs,
  renewLease,
  returnJob,
  settleJob,
} from './job-queue.js';
import {
  cancelQueuedJob,
  findJobByIdempotencyKey,
  getJob,
  insertJob,
  jobSummary,
  listJobs,
  requestJobCancel,
} from './job-store.js';
import {
  finalEvent,
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
  /** This instance's name in `jobs.claimed_by`, unique among live instances. Default `<host>-<pid>-<random>`. */
  readonly instanceId?: string | undefined;
  /**
   * How often the manager looks for queued jobs and expired leases, renews its lease, stores the running
   * job's progress and reads the jobs its listeners follow on other instances, ms. Default 1000.
   */
  readonly pollMs?: number | undefined;
  /** How long a claim holds without renewal, ms (at least 3 × pollMs); then the job is queued again. Default 30000. */
  readonly leaseMs?: number | undefined;
  /** Claims a job may have; when the last one's lease expires the job fails. Default 3. */
  readonly maxAttempts?: number | undefined;
  /** How long a cancelled job may take to stop before its thread is terminated, ms. Default 3000. */
  readonly cancelGraceMs?: number | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

/** Events kept per job; older ones (log lines, mostly) are dropped first. */
const MAX_HISTORY = 2000;
/** Finished jobs whose full history an instance keeps; older ones are answered from the table. */
const MAX_FINISHED = 100;
/** Why jobs interrupted by a stopping cloud failed. */
export const CLOUD_STOPPED = 'cloud stopped';
/** Why a job failed whose every attempt's instance stopped answering. */
export const LEASE_EXPIRED = 'the cloud instances running it stopped without finishing it';

/** A job this instance runs or ran. */
interface LocalJob {
  summary: JobSummary;
  readonly spec: JobSpec;
  readonly lease: Lease;
  readonly history: JobEvent[];
  worker?: Worker;
  out?: string;
  cancelRequested?: boolean;
  killTimer?: NodeJS.Timeout;
  /** Its lease expired and another attempt may run: stop, record nothing. */
  lost?: boolean;
  /** Progress not yet stored in the row. */
  progressDirty?: boolean;
  readonly finished: Promise<void>;
  resolveFinished: () => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`JobManager: ${name} must be positive, got ${v}`);
  return v;
}

/** A hash of a request, for an idempotency key's retries (the same request gets the same job). */
function requestHash(spec: JobSpec): string {
  return createHash('sha256')
    .update(JSON.stringify(spec, Object.keys(spec).sort()))
    .digest('hex');
}

/** Submits, runs, reports and cancels training jobs; see the file comment. */
export class JobManager {
  /** This instance's name in `jobs.claimed_by`. */
  readonly instanceId: string;
  private readonly local = new Map<string, LocalJob>();
  private readonly followers = new JobFollowers();
  private running: LocalJob | undefined;
  private closing = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly log: (line: string) => void;

  private constructor(private readonly o: JobManagerOptions) {
    this.log = o.log ?? (() => {});
    this.instanceId = o.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.pollMs = positive('pollMs', o.pollMs, 1000);
    this.leaseMs = positive('leaseMs', o.leaseMs, 30_000);
    this.maxAttempts = Math.floor(positive('maxAttempts', o.maxAttempts, 3));
    if (this.leaseMs < 3 * this.pollMs)
      throw new RangeError(
        `JobManager: leaseMs (${this.leaseMs}) must be at least 3 × pollMs (${this.pollMs})`,
      );
  }

  /** Starts taking queued jobs from the table (and jobs of dead instances, once their lease expired). */
  static async open(options: JobManagerOptions): Promise<JobManager> {
    const manager = new JobManager(options);
    await manager.tick();
    return manager;
  }

  /**
   * Validates and queues a job; refuses align jobs without enough linked embeddings (ConflictError).
   * With an idempotency key, a request already made with that key gets the job it made (on any
   * instance); the key with another request is a ConflictError.
   */
  async submit(spec: JobSpec, options: { idempotencyKey?: string | undefined } = {}): Promise<JobSummary> {
    if (this.closing) throw new ConflictError('the cloud is stopping');
    const key = options.idempotencyKey;
    const idempotency = key === undefined ? undefined : { key, requestHash: requestHash(spec) };
    if (idempotency) {
      const earlier = await this.replay(idempotency);
      if (earlier) return earlier;
    }
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
    const job = { id, kind: spec.kind, spec, created: created.toISOString(), idempotency };
    if (!(await insertJob(this.o.db, job))) {
      // Another request with the same key won the insert meanwhile.
      const earlier = idempotency && (await this.replay(idempotency));
      if (earlier) return earlier;
      throw new StorageError(`job '${id}' was not stored`);
    }
    void this.tick();
    return {
      id,
      kind: spec.kind,
      status: 'queued',
      created: job.created,
      progress: null,
      release: null,
      error: null,
    };
  }

  /** Every job, newest first. */
  async list(): Promise<JobSummary[]> {
    return (await listJobs(this.o.db)).map((row) => this.local.get(row.id)?.summary ?? jobSummary(row));
  }

  /** One job; NotFoundError for an unknown id. */
  async get(id: string): Promise<JobSummary> {
    const local = this.local.get(id);
    if (local) return local.summary;
    const row = await getJob(this.o.db, id);
    if (!row) throw new NotFoundError('job', id);
    return jobSummary(row);
  }

  /**
   * The job's history so far and a subscription to what follows (until its final event); NotFoundError
   * for an unknown id. A job another instance runs has a history of its last progress only, and its
   * progress and final events follow as the table shows them. Call `stop` to stop listening.
   */
  async follow(
    id: string,
    listener: JobListener,
  ): Promise<{ history: readonly JobEvent[]; stop: () => void }> {
    let local = this.local.get(id);
    let history: JobEvent[];
    let summary: JobSummary;
    if (local) {
      ({ summary } = local);
      history = [...local.history];
    } else {
      const row = await getJob(this.o.db, id);
      if (!row) throw new NotFoundError('job', id);
      local = this.local.get(id); // taken by this instance meanwhile
      summary = local?.summary ?? jobSummary(row);
      const last = finalEvent(summary);
      history = local
        ? [...local.history]
        : last
          ? [last]
          : summary.progress
            ? [{ event: 'progress', data: summary.progress }]
            : [];
    }
    if (isFinal(summary.status)) return { history, stop: () => {} };
    return { history, stop: this.followers.add(id, listener, summary.progress) };
  }

  /** Cancels a queued or running job and resolves once it has stopped; ConflictError when already final. */
  async cancel(id: string): Promise<JobSummary> {
    for (let first = true; ; first = false) {
      const here = this.local.get(id);
      if (here && !isFinal(here.summary.status)) {
        this.requestCancel(here);
        await here.finished;
        return this.get(id);
      }
      const row = await getJob(this.o.db, id);
      if (!row) throw new NotFoundError('job', id);
      if (isFinal(row.status)) {
        if (first) throw new ConflictError(`job '${id}' is already ${row.status}`);
        return jobSummary(row); // it ended (perhaps otherwise) while the cancel was on its way
      }
      if (row.status === 'queued') {
        if (await cancelQueuedJob(this.o.db, id)) return this.get(id);
        continue; // just claimed
      }
      if (this.local.has(id)) continue; // just claimed here
      // Running on another instance: it sees the flag when it renews its lease.
      if (!(await requestJobCancel(this.o.db, id))) continue;
      let now: JobSummary;
      do {
        await sleep(this.pollMs);
        now = await this.get(id);
        if (isFinal(now.status) || this.closing) return now;
      } while (now.status === 'running'); // queued again (its instance stopped): cancel it there
    }
  }

  /**
   * Stops taking jobs; the job running here fails with 'cloud stopped' (its thread is terminated).
   * Queued jobs stay queued for the other instances (or this one's next start).
   */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    await this.ticking;
    const job = this.running;
    if (job && !isFinal(job.summary.status)) {
      if (job.worker) {
        // settle() records the failure once the thread has exited.
        await job.worker.terminate();
        await job.finished;
      } else await this.finish(job, 'failed', { error: CLOUD_STOPPED });
    }
    this.followers.clear();
  }

  /** The job submitted first with this key, when `idempotency` is its request; undefined when none. */
  private async replay(idempotency: { key: string; requestHash: string }): Promise<JobSummary | undefined> {
    const found = await findJobByIdempotencyKey(this.o.db, idempotency.key);
    if (!found) return undefined;
    if (found.requestHash !== idempotency.requestHash) {
      throw new ConflictError(
        `Idempotency-Key '${idempotency.key}' was sent with another request (job '${found.row.id}'): use a new key for a new job`,
      );
    }
    return this.local.get(found.row.id)?.summary ?? jobSummary(found.row);
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

  /** One round of the poll loop, now (a round already running runs once more instead). */
  private tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.again = false;
        await this.step().catch((e: Error) => this.log(`cloud: jobs: ${e.message}`));
      } while (this.again && !this.closing);
    })().finally(() => {
      this.ticking = undefined;
      if (this.closing) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.tick(), this.pollMs);
      this.timer.unref();
    });
    return this.ticking;
  }

  private async step(): Promise<void> {
    if (this.running) await this.heartbeat(this.running);
    for (const job of await recoverExpiredJobs(this.o.db, this.maxAttempts, LEASE_EXPIRED)) {
      this.log(
        `cloud: job ${job.id}: lease of ${job.claimedBy ?? 'an earlier version'} expired after attempt ${job.attempts}; now ${job.status}`,
      );
    }
    if (!this.running && !this.closing) await this.claim();
    await this.followers.poll(this.o.db, (id) => !this.local.has(id));
  }

  private async claim(): Promise<void> {
    const claimed = await claimNextJob(this.o.db, this.instanceId, this.leaseMs);
    if (!claimed) return;
    if (this.closing) {
      await returnJob(this.o.db, claimed.lease);
      return;
    }
    let resolveFinished = () => {};
    const finished = new Promise<void>((r) => {
      resolveFinished = r;
    });
    const { spec, ...summary } = claimed.row;
    const job: LocalJob = { summary, spec, lease: claimed.lease, history: [], finished, resolveFinished };
    this.local.set(job.summary.id, job);
    this.running = job;
    this.log(`cloud: job ${job.summary.id} started on ${this.instanceId} (attempt ${job.lease.attempt})`);
    void this.run(job)
      .catch(async (e: Error) => {
        if (!isFinal(job.summary.status) && !job.lost) await this.finish(job, 'failed', { error: e.message });
      })
      .finally(() => {
        this.running = undefined;
        job.resolveFinished();
        if (!this.closing) void this.tick();
      });
  }

  /** Renews the running job's lease, stores its progress, and stops it when cancelled elsewhere or lost. */
  private async heartbeat(job: LocalJob): Promise<void> {
    if (isFinal(job.summary.status) || job.lost) return;
    const progress = job.progressDirty ? job.summary.progress : undefined;
    job.progressDirty = false;
    const renewed = await renewLease(this.o.db, job.lease, this.leaseMs, progress).catch((e: Error) => {
      job.progressDirty ||= progress !== undefined;
      throw e;
    });
    if (!renewed) this.lose(job);
    else if (renewed.cancelRequested) this.requestCancel(job);
  }

  /** The lease expired and the job may run elsewhere: stop its thread, write nothing more. */
  private lose(job: LocalJob): void {
    if (job.lost || isFinal(job.summary.status)) return;
    job.lost = true;
    this.log(`cloud: job ${job.summary.id}: lease lost (attempt ${job.lease.attempt}); stopping it here`);
    this.local.delete(job.summary.id); // followers read the table from now on
    void job.worker?.terminate();
  }

  /** Asks the job's thread to stop, and terminates it after the grace time. */
  private requestCancel(job: LocalJob): void {
    if (job.cancelRequested) return;
    job.cancelRequested = true;
    const worker = job.worker;
    if (!worker) return; // run() checks the flag before it starts one
    worker.postMessage({ type: 'cancel' });
    job.killTimer = setTimeout(() => void worker.terminate(), this.o.cancelGraceMs ?? 3000);
  }

  private async run(job: LocalJob): Promise<void> {
    this.record(job, { event: 'progress', data: { stage: 'starting', done: 0, total: 1 } });
    const out = join(this.o.releasesDir, `${job.summary.id}-attempt-${job.lease.attempt}`);
    job.out = out;
    await rm(out, { recursive: true, force: true });
    const input = await this.workerInput(job, out);
    if (isFinal(job.summary.status) || job.lost) return; // close() failed it meanwhile, or it was lost
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
        } else if (!job.lost) this.record(job, m);
      });
      worker.on('error', (e) => {
        final ??= { event: 'failed', data: { error: e.message } };
      });
      worker.on('exit', (code) => {
        clearTimeout(job.killTimer);
        void this.settle(job, final, code).finally(resolve);
      });
    });
  }

  /** The worker's input: pretrain data folders, or the align pairs read from the database now. */
  private async workerInput(job: LocalJob, out: string): Promise<JobWorkerInput> {
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
      parentDir: await this.o.releases.files.localDir(row),
      preset: spec.preset,
      steps: spec.steps,
      pairs,
      sources: { 'device embeddings': pairs.length },
    };
  }

  /** After the worker exits: registers a finished release, or records why there is none. */
  private async settle(job: LocalJob, final: JobWorkerMessage | undefined, exitCode: number): Promise<void> {
    if (isFinal(job.summary.status)) return; // close() got there first
    const out = job.out!;
    if (final?.event === 'done' && !job.lost) {
      try {
        // Still ours? A release registered by an attempt that lost its lease would be a second one.
        if (!(await renewLease(this.o.db, job.lease, this.leaseMs))) this.lose(job);
        else {
          const dir = join(this.o.releasesDir, final.data.release);
          await rename(out, dir);
          await registerReleaseDir(this.o.db, dir);
          await this.o.releases.refresh();
          this.log(`cloud: job ${job.summary.id} produced release ${final.data.release}`);
          await this.finish(job, 'succeeded', { release: final.data.release });
          return;
        }
      } catch (e) {
        await this.finish(job, 'failed', { error: `release not registered: ${(e as Error).message}` });
        return;
      }
    }
    await rm(out, { recursive: true, force: true });
    if (job.lost) return;
    if (this.closing) await this.finish(job, 'failed', { error: CLOUD_STOPPED });
    else if (job.cancelRequested || final?.event === 'cancelled') await this.finish(job, 'cancelled', {});
    else {
      const error = final?.event === 'failed' ? final.data.error : `job worker exited with code ${exitCode}`;
      await this.finish(job, 'failed', { error });
    }
  }

  /** Keeps an event in the job's history (a progress event replaces the previous one of its stage). */
  private record(job: LocalJob, event: JobEvent): void {
    if (event.event === 'progress') {
      job.summary = { ...job.summary, progress: event.data as JobProgress };
      job.progressDirty = true;
      const last = job.history.at(-1);
      if (last?.event === 'progress' && last.data.stage === event.data.stage) job.history.pop();
    }
    job.history.push(event);
    if (job.history.length > MAX_HISTORY) job.history.shift();
    this.followers.deliver(job.summary.id, event);
  }

  /** Records the outcome in the row (fenced by the lease) and tells the listeners. */
  private async finish(
    job: LocalJob,
    status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled'>,
    outcome: { release?: string; error?: string },
  ): Promise<void> {
    job.summary = { ...job.summary, status, release: outcome.release ?? null, error: outcome.error ?? null };
    const stored = await settleJob(this.o.db, job.lease, {
      status,
      progress: job.summary.progress,
      release: outcome.release ?? null,
      error: outcome.error ?? null,
    }).catch((e: Error) => {
      this.log(`cloud: job ${job.summary.id}: ${e.message}`);
      return true; // the database may have it; its lease decides
    });
    if (!stored) {
      this.log(`cloud: job ${job.summary.id}: lease lost before its outcome (${status}) was stored`);
      this.local.delete(job.summary.id);
      job.lost = true;
      job.resolveFinished();
      return;
    }
    const last = finalEvent(job.summary);
    if (last) this.record(job, last);
    job.resolveFinished();
    this.forgetOldJobs();
  }

  /** Keeps the histories of the newest finished jobs only. */
  private forgetOldJobs(): void {
    let finished = [...this.local.values()].filter((j) => isFinal(j.summary.status)).length;
    for (const [id, job] of this.local) {
      if (finished <= MAX_FINISHED) break;
      if (isFinal(job.summary.status)) {
        this.local.delete(id);
        finished--;
      }
    }
  }
}
