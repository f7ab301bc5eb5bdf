/**
 * Embedding ingest: decode and validate each MQTT message, project h_ecg with its release's shared
 * encoder, and store in batches keyed by (device, seq).
 *
 * What it promises the broker: `handle` resolves only once its message is stored or rejected for good,
 * so a broker that acknowledges after `handle` (the embedded broker sends PUBACK then; the external link
 * acknowledges its delivery then) never acknowledges a message that is not in the database.
 * - Validation and storage agree by construction: the wire schema states the database's ranges
 *   (`@heartline/contract` `storable`), so a valid message cannot fail its INSERT for its values.
 * - Should a row still fail (a release deleted meanwhile, a constraint added later), the batch is split
 *   in halves until the failing row stands alone: the good rows are stored, the bad one is rejected with
 *   a counted reason and kept in `ingest_dead_letters` with its raw payload. One bad message never holds
 *   back another device's.
 * - When the database itself fails (connection lost, disk full), nothing is acknowledged: the batch waits
 *   and is retried with backoff; devices keep their messages in their outboxes meanwhile (backpressure).
 *   That holds for every query on a message's way, not only the INSERT: the device and release lookups
 *   of validation and the patient lookup of a batch wait and retry as well, never refuse for good.
 * No payload can make `handle` throw.
 */
import {
  decodeEmbeddingMessage,
  deviceIdOfTopic,
  type EmbeddingMessage,
  WireError,
} from '@heartline/contract';
import type { ReleaseCatalog } from '../releases/release-models.js';
import { addDeadLetters, type DeadLetter } from '../storage/dead-letters.js';
import { findDevice } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import { type EmbeddingRow, insertEmbeddings } from '../storage/embeddings.js';
import { addRejections } from '../storage/rejections.js';
import { isRowError, sqlState } from '../storage/sql-errors.js';
import { RejectionCounter } from './rejection-counter.js';

/** Options of {@link Ingest}. */
export interface IngestOptions {
  readonly db: SqlDriver;
  readonly releases: ReleaseCatalog;
  /** Flush when this many messages wait. Default 500. */
  readonly batchSize?: number;
  /**
   * Most messages one flush stores. Under load messages wait while the previous batch is stored and the
   * next flush takes them all, up to this many: batches grow with the load (fewer statements per
   * message), and latency stays bounded by one such batch. Default 5,000.
   */
  readonly maxBatchSize?: number;
  /**
   * Flush at the latest this long after the oldest waiting message arrived, ms. Default 1. The broker
   * acknowledges a device's message only once it is stored and reads that device's next packets only
   * then, so every device's packets of one socket read arrive together and the short wait gathers them
   * into one statement; waiting longer gathers nothing more (every device is waiting for its PUBACK).
   * Measured with the ingest benchmark (bench/RESULTS.md, acknowledgement after storage): 1 ms stored
   * 4,178/s at p50 5.3 ms where 5 ms stored 3,802/s at p50 13.5 ms; 0 ms 3,988/s.
   */
  readonly flushMs?: number;
  /** Latest window start accepted, relative to now, ms (device clocks drift, not by days). Default 1 day. */
  readonly maxFutureMs?: number;
  /** Told after each batch is in the database (benchmarks, metrics). Default: nothing. */
  readonly onStored?: (rows: readonly EmbeddingRow[]) => void;
  /** Told what each message cost and how it ended (metrics). Default: nothing. */
  readonly observer?: IngestObserver | undefined;
  /** Receives one line per rejection and per storage problem. Default: stderr. */
  readonly log?: (line: string) => void;
  /** Dead letters kept in the database (the newest). Default 10,000. */
  readonly deadLetterLimit?: number;
  /** First wait before retrying after the database failed, ms; doubles up to 5 s. Default 250. */
  readonly retryMs?: number;
}

/** What the ingest tells as it goes (the cloud's metrics); every call is synchronous and must not throw. */
export interface IngestObserver {
  /** A message was answered (stored or refused for good): the broker may acknowledge it now. */
  answered(seconds: number): void;
  /** A batch is in the database: `inserted` new rows; `queuedSeconds`, each message's wait in the queue. */
  stored(inserted: number, queuedSeconds: readonly number[]): void;
  /** A message was refused with a stable reason (the broker's refusals too). */
  rejected(reason: string): void;
}

/** What the ingest has done since it started. */
export interface IngestStats {
  readonly received: number;
  readonly stored: number;
  /** Valid messages whose (device, seq) was already stored (redeliveries). */
  readonly duplicates: number;
  readonly rejected: Record<string, number>;
  /** Messages waiting to be stored (not yet acknowledged). */
  readonly waiting: number;
  /** Whether the last attempt to store failed for a database reason (stores are being retried). */
  readonly storageFailing: boolean;
}

interface Waiting {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly message: EmbeddingMessage;
  readonly done: () => void;
  /** `performance.now()` when it was queued. */
  readonly at: number;
}

/** A row to store and the waiting messages it answers (a redelivery in the same batch shares its row). */
interface Pending {
  readonly row: EmbeddingRow;
  readonly waiting: Waiting[];
}

/** Most dead letters held in memory between flushes; past it a rejection is only counted. */
const MAX_PENDING_DEAD_LETTERS = 1000;

/** The ingest pipeline of one cloud instance. */
export class Ingest {
  private readonly batchSize: number;
  private readonly maxBatchSize: number;
  private readonly flushMs: number;
  private readonly maxFutureMs: number;
  private readonly retryMs: number;
  private readonly log: (line: string) => void;
  private readonly rejections: RejectionCounter;
  private queue: Waiting[] = [];
  private deadLetters: DeadLetter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Flushes started and not finished. */
  private busy = 0;
  /** After a failed store, no automatic flush before this `performance.now()`. */
  private retryAt = 0;
  /** Consecutive failed stores (for the backoff). */
  private failures = 0;
  /** Messages whose validation waits for the database (its device or release lookup failed). */
  private checksWaiting = 0;
  private closed = false;
  private readonly knownDevices = new Set<string>();
  private readonly unknownDevices = new Map<string, number>();
  private received = 0;
  private stored = 0;
  private duplicates = 0;

  constructor(private readonly options: IngestOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBatchSize = Math.max(this.batchSize, options.maxBatchSize ?? 5000);
    this.flushMs = options.flushMs ?? 1;
    this.maxFutureMs = options.maxFutureMs ?? 86_400_000;
    this.retryMs = options.retryMs ?? 250;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.rejections = new RejectionCounter(this.log, (reason) => options.observer?.rejected(reason));
  }

  /** Counts a message refused before it reached the ingest (by the broker: credentials, topic, size). */
  reject(reason: string, detail: string): void {
    this.rejections.add(reason, detail);
  }

  /** Forgets a device's cached registration (after it is revoked), so its next message is checked again. */
  forgetDevice(id: string): void {
    this.knownDevices.delete(id);
  }

  /**
   * Takes one MQTT message; resolves once it is stored or rejected for good (so a broker acknowledging
   * after this promise never acknowledges a message the database does not hold). Never rejects.
   */
  async handle(topic: string, payload: Uint8Array): Promise<void> {
    const arrived = performance.now();
    await this.answer(topic, payload);
    this.options.observer?.answered((performance.now() - arrived) / 1000);
  }

  private async answer(topic: string, payload: Uint8Array): Promise<void> {
    this.received++;
    let message: EmbeddingMessage | undefined;
    for (let attempt = 1; message === undefined; attempt++) {
      try {
        message = await this.validate(topic, payload);
      } catch (error) {
        if (error instanceof Rejection) this.refuse(topic, payload, error.reason, error.message);
        else if (error instanceof LookupFailed) {
          // The database could not be asked whether the device or release exists: not the message's
          // fault, so it is neither refused nor acknowledged; it is checked again after a backoff.
          if (this.closed) return new Promise<void>(() => undefined);
          await this.waitForDatabase(topic, error, attempt);
          continue;
        } else
          this.refuse(topic, payload, 'internal', error instanceof Error ? error.message : String(error));
        return;
      }
    }
    await new Promise<void>((done) => {
      this.queue.push({ topic, payload, message, done, at: performance.now() });
      this.schedule();
    });
  }

  /** Counts a rejection and keeps the message as a dead letter (bounded), to be stored with the next flush. */
  private refuse(topic: string, payload: Uint8Array, reason: string, detail: string): void {
    this.rejections.add(reason, detail);
    if (this.deadLetters.length >= MAX_PENDING_DEAD_LETTERS) return;
    this.deadLetters.push({ topic, deviceId: deviceIdOfTopic(topic), reason, detail, payload });
    this.schedule();
  }

  /** Waits before checking a message again whose lookup failed (backoff 250 ms → 5 s). */
  private async waitForDatabase(topic: string, error: LookupFailed, attempt: number): Promise<void> {
    const wait = Math.min(5000, this.retryMs * 2 ** (attempt - 1));
    if (attempt === 1 || wait === 5000) {
      this.log(`ingest: cannot check ${topic} (${error.message}); the message waits, retry in ${wait} ms`);
    }
    this.checksWaiting++;
    try {
      await new Promise((resolve) => setTimeout(resolve, wait));
    } finally {
      this.checksWaiting--;
    }
  }

  private async validate(topic: string, payload: Uint8Array): Promise<EmbeddingMessage> {
    const topicDevice = deviceIdOfTopic(topic);
    if (topicDevice === undefined || !topic.endsWith('/emb')) throw new Rejection('bad-topic', topic);
    let message: EmbeddingMessage;
    try {
      message = decodeEmbeddingMessage(payload);
    } catch (error) {
      if (error instanceof WireError) throw new Rejection(error.reason, `${topicDevice}: ${error.message}`);
      throw error;
    }
    const where = `${message.deviceId}#${message.seq}`;
    if (message.deviceId !== topicDevice) {
      throw new Rejection(
        'device-mismatch',
        `payload deviceId ${message.deviceId} on topic of ${topicDevice}`,
      );
    }
    if (!(await lookup(() => this.deviceKnown(message.deviceId)))) {
      throw new Rejection('unknown-device', where);
    }
    const release = await lookup(() => this.options.releases.row(message.release));
    if (!release) throw new Rejection('unknown-release', `${where}: release ${message.release}`);
    if (message.h.length !== release.ecgDim) {
      throw new Rejection(
        'dimension',
        `${where}: h has ${message.h.length} values; release ${release.id} expects ${release.ecgDim}`,
      );
    }
    if (message.t0 > Date.now() + this.maxFutureMs)
      throw new Rejection('bad-time', `${where}: t0 ${message.t0}`);
    return message;
  }

  private async deviceKnown(id: string): Promise<boolean> {
    if (this.knownDevices.has(id)) return true;
    // Remember misses briefly so a flood from an unknown id cannot turn into a query per message.
    const missedAt = this.unknownDevices.get(id);
    if (missedAt !== undefined && Date.now() - missedAt < 1000) return false;
    const device = await findDevice(this.options.db, id);
    if (device && !device.revoked) {
      this.knownDevices.add(id);
      this.unknownDevices.delete(id);
      return true;
    }
    if (this.unknownDevices.size > 10_000) this.unknownDevices.clear();
    this.unknownDevices.set(id, Date.now());
    return false;
  }

  /**
   * Starts a flush when one is due (a full batch waits, or the oldest message has waited `flushMs`) and
   * none is running, else arms the timer. While a flush runs, new messages wait and the next flush,
   * started when it ends, takes them together.
   */
  private schedule(): void {
    if (this.busy > 0 || (this.queue.length === 0 && this.deadLetters.length === 0)) return;
    const now = performance.now();
    const oldest = this.queue[0]?.at ?? now;
    const due = this.queue.length >= this.batchSize ? now : oldest + this.flushMs;
    const wait = Math.max(due, this.retryAt) - now;
    if (wait <= 0) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, wait);
  }

  /** Stores what waits now (up to `maxBatchSize` messages); resolves when it is in the database. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.busy++;
    this.flushing = this.flushing
      .then(() => this.flushOnce())
      .catch((error: unknown) => {
        // flushOnce answers its own failures; should anything still escape, the chain must not break
        // (a rejected `flushing` would skip every later flush) nor spin: log it and back off.
        this.log(
          `ingest: flush failed unexpectedly: ${error instanceof Error ? error.stack : String(error)}`,
        );
        this.retryAt = performance.now() + this.retryMs;
      })
      .finally(() => {
        this.busy--;
        this.schedule();
      });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    await this.storeRejections();
    const batch = this.queue.splice(0, this.maxBatchSize);
    if (batch.length === 0) return;
    let pending: Pending[];
    try {
      pending = await this.project(batch);
    } catch (error) {
      // A lookup of the batch (a study's patient, a release row) failed: nothing is answered yet.
      this.backOff(error, batch.length);
      this.queue.unshift(...batch);
      return;
    }
    const settled = new Set<Pending>();
    try {
      await this.store(pending, settled);
      this.failures = 0;
      this.retryAt = 0;
    } catch (error) {
      // The database failed, not a row: leave what is not stored unacknowledged and retry it first,
      // with backoff; the broker holds the devices' acknowledgements meanwhile (backpressure).
      const waiting = pending.filter((p) => !settled.has(p));
      this.backOff(error, waiting.length);
      this.queue.unshift(...waiting.flatMap((p) => p.waiting));
    }
  }

  /** Counts a database failure and sets when the next automatic flush may start (250 ms → 5 s). */
  private backOff(error: unknown, waiting: number): void {
    this.failures++;
    const wait = Math.min(5000, this.retryMs * 2 ** (this.failures - 1));
    this.log(
      `ingest: storing failed (${sqlState(error) ?? 'no SQLSTATE'}: ${(error as Error).message}); ` +
        `${waiting} embeddings wait, retry in ${wait} ms`,
    );
    this.retryAt = performance.now() + wait;
  }

  /** Stores the counted rejections and dead letters gathered since the last flush (best effort). */
  private async storeRejections(): Promise<void> {
    const counts = this.rejections.takePending();
    try {
      if (counts.size) await addRejections(this.options.db, counts);
    } catch (error) {
      this.rejections.restore(counts);
      this.log(`ingest: could not store rejection counts: ${(error as Error).message}`);
    }
    const letters = this.deadLetters;
    this.deadLetters = [];
    try {
      await addDeadLetters(this.options.db, letters, this.options.deadLetterLimit);
    } catch (error) {
      // Counted already; the payloads are kept for inspection only, so a failure drops them.
      this.log(`ingest: could not store ${letters.length} dead letters: ${(error as Error).message}`);
    }
  }

  /**
   * Projects each distinct (device, seq) of the batch into its release's shared space. Messages whose
   * release cannot be loaded, or whose projection is not storable, are rejected (and answered) here.
   * Its database lookups come first, before anything is answered: when one fails it throws and the
   * whole batch waits.
   */
  private async project(batch: readonly Waiting[]): Promise<Pending[]> {
    const byKey = new Map<string, Waiting[]>();
    const byRelease = new Map<string, Waiting[]>();
    for (const w of batch) {
      const key = keyOf(w.message);
      const same = byKey.get(key);
      if (same) {
        same.push(w);
        continue;
      }
      byKey.set(key, [w]);
      const list = byRelease.get(w.message.release);
      if (list) list.push(w);
      else byRelease.set(w.message.release, [w]);
    }
    const answer = (w: Waiting, reason: string, detail: string) => {
      for (const same of byKey.get(keyOf(w.message))!) {
        this.refuse(same.topic, same.payload, reason, detail);
        same.done();
      }
    };
    const patients = await this.patientsOfStudies(batch);
    // The release rows (a refresh may query the database), so that `model` below only reads files.
    for (const releaseId of byRelease.keys()) await this.options.releases.row(releaseId);
    const pending: Pending[] = [];
    for (const [releaseId, waiting] of byRelease) {
      let model: Awaited<ReturnType<ReleaseCatalog['model']>>;
      let z: Float32Array;
      try {
        model = await this.options.releases.model(releaseId);
        const h = new Float32Array(waiting.length * model.ecgDim);
        for (const [i, w] of waiting.entries()) h.set(w.message.h, i * model.ecgDim);
        z = model.projectEcg(h, waiting.length);
      } catch (error) {
        for (const w of waiting) {
          answer(
            w,
            'release-unavailable',
            `${w.message.deviceId}#${w.message.seq}: ${(error as Error).message}`,
          );
        }
        continue;
      }
      for (const [i, w] of waiting.entries()) {
        const m = w.message;
        const zi = z.subarray(i * model.sharedDim, (i + 1) * model.sharedDim);
        // Finite h can still overflow the projection; pgvector refuses NaN and infinity.
        if (!zi.every(Number.isFinite)) {
          answer(w, 'projection-non-finite', `${m.deviceId}#${m.seq}: z holds NaN or infinity`);
          continue;
        }
        const patientId = m.studyId === undefined ? undefined : patients.get(m.studyId);
        pending.push({
          row: {
            deviceId: m.deviceId,
            seq: m.seq,
            t0: m.t0,
            release: m.release,
            leadMask: m.leadMask,
            quality: m.quality,
            patientId,
            studyId: m.studyId,
            h: m.h,
            z: zi,
          },
          waiting: byKey.get(keyOf(m))!,
        });
      }
    }
    return pending;
  }

  /**
   * The patient of each study id in the batch, as the cloud's clinical records say. A device may name
   * its study; it never chooses the patient (its `patientId` is not trusted), so a device cannot link its
   * windows to another patient's reports.
   */
  private async patientsOfStudies(batch: readonly Waiting[]): Promise<Map<string, string>> {
    const studies = [
      ...new Set(batch.flatMap((w) => (w.message.studyId === undefined ? [] : [w.message.studyId]))),
    ];
    if (studies.length === 0) return new Map();
    const { rows } = await this.options.db.query<{ study: string; patient: string }>(
      `SELECT DISTINCT ON (study_id) study_id AS study, patient_id AS patient FROM clinical_records
       WHERE study_id = ANY($1::text[]) AND patient_id IS NOT NULL ORDER BY study_id, created`,
      [studies],
    );
    return new Map(rows.map((r) => [r.study, r.patient]));
  }

  /**
   * Stores `pending`; a row the database refuses for its own sake is split off (halving the batch until
   * it stands alone), rejected and kept as a dead letter, while the others are stored. Each stored or
   * refused entry is added to `settled` and answered; a database failure is thrown with `settled`
   * telling what is done.
   */
  private async store(pending: readonly Pending[], settled: Set<Pending>): Promise<void> {
    if (pending.length === 0) return;
    let inserted: number;
    try {
      inserted = await insertEmbeddings(
        this.options.db,
        pending.map((p) => p.row),
      );
    } catch (error) {
      if (!isRowError(error)) throw error;
      if (pending.length === 1) {
        const p = pending[0]!;
        settled.add(p);
        const detail = `${p.row.deviceId}#${p.row.seq}: the database refused the row (${sqlState(error)}: ${(error as Error).message})`;
        for (const w of p.waiting) {
          this.refuse(w.topic, w.payload, 'storage-refused', detail);
          w.done();
        }
        return;
      }
      const half = Math.ceil(pending.length / 2);
      await this.store(pending.slice(0, half), settled);
      await this.store(pending.slice(half), settled);
      return;
    }
    this.stored += inserted;
    // Redeliveries: repeats in the batch plus rows the database already held.
    this.duplicates += pending.reduce((n, p) => n + p.waiting.length, 0) - inserted;
    this.options.onStored?.(pending.map((p) => p.row));
    const now = performance.now();
    this.options.observer?.stored(
      inserted,
      pending.flatMap((p) => p.waiting.map((w) => (now - w.at) / 1000)),
    );
    for (const p of pending) {
      settled.add(p);
      for (const w of p.waiting) w.done();
    }
  }

  /** What the ingest has done since it started. */
  stats(): IngestStats {
    return {
      received: this.received,
      stored: this.stored,
      duplicates: this.duplicates,
      rejected: this.rejections.snapshot(),
      waiting: this.queue.length + this.checksWaiting,
      storageFailing: this.failures > 0 || this.checksWaiting > 0,
    };
  }

  /** Flushes what waits (while flushes make progress) and stops the timer. */
  async close(): Promise<void> {
    this.closed = true;
    let waiting = Number.POSITIVE_INFINITY;
    do {
      waiting = this.queue.length;
      await this.flush();
    } while (this.queue.length > 0 && this.queue.length < waiting);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A message's (device, seq), the key it is stored under, as one string. */
function keyOf(message: EmbeddingMessage): string {
  return `${message.deviceId}\u0000${message.seq}`;
}

/** A database lookup of validation failed (the database's fault, not the message's). */
class LookupFailed extends Error {}

/** Runs a lookup of validation; a failure other than a {@link Rejection} becomes {@link LookupFailed}. */
async function lookup<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof Rejection) throw error;
    throw new LookupFailed(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** A validation failure with its stable reason. */
class Rejection extends Error {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(detail);
  }
}
