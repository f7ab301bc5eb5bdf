/**
 * Embedding ingest: decode and validate each MQTT message, project h_ecg with its release's shared
 * encoder, and store in batches keyed by (device, seq). Every rejection is counted with a stable reason
 * and logged; no payload can make `handle` throw.
 */
import { WireError } from '@heartline/model/errors';
import { decodeEmbeddingMessage, deviceIdOfTopic, type EmbeddingMessage } from '@heartline/model/wire';
import type { ReleaseCatalog } from '../releases/release-models.js';
import { findDevice } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import { type EmbeddingRow, insertEmbeddings } from '../storage/embeddings.js';
import { addRejections } from '../storage/rejections.js';
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
   * Flush at the latest this long after the oldest waiting message arrived, ms. Default 5. The broker
   * acknowledges a device's message when it is stored and reads that device's next packets only then,
   * so the wait gathers what every device sent meanwhile into one statement; measured with the ingest
   * benchmark (bench/RESULTS.md): 0 ms stored ~10× fewer messages per second than 5 or 20 ms (one tiny
   * statement per device packet), and 20 ms added latency for nothing.
   */
  readonly flushMs?: number;
  /** Latest window start accepted, relative to now, ms (device clocks drift, not by days). Default 1 day. */
  readonly maxFutureMs?: number;
  /** Told after each batch is in the database (benchmarks, metrics). Default: nothing. */
  readonly onStored?: (rows: readonly EmbeddingRow[]) => void;
  /** Receives one line per rejection and per storage problem. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** What the ingest has done since it started. */
export interface IngestStats {
  readonly received: number;
  readonly stored: number;
  /** Valid messages whose (device, seq) was already stored (redeliveries). */
  readonly duplicates: number;
  readonly rejected: Record<string, number>;
}

interface Waiting {
  readonly message: EmbeddingMessage;
  readonly done: () => void;
  /** `performance.now()` when it was queued. */
  readonly at: number;
}

/** The ingest pipeline of one cloud instance. */
export class Ingest {
  private readonly batchSize: number;
  private readonly maxBatchSize: number;
  private readonly flushMs: number;
  private readonly maxFutureMs: number;
  private readonly log: (line: string) => void;
  private readonly rejections: RejectionCounter;
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Flushes started and not finished. */
  private busy = 0;
  /** After a failed store, no automatic flush before this `performance.now()`. */
  private retryAt = 0;
  private readonly knownDevices = new Set<string>();
  private readonly unknownDevices = new Map<string, number>();
  private received = 0;
  private stored = 0;
  private duplicates = 0;

  constructor(private readonly options: IngestOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBatchSize = Math.max(this.batchSize, options.maxBatchSize ?? 5000);
    this.flushMs = options.flushMs ?? 5;
    this.maxFutureMs = options.maxFutureMs ?? 86_400_000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.rejections = new RejectionCounter(this.log);
  }

  /** Counts a message refused before it reached the ingest (by the broker: credentials, topic, size). */
  reject(reason: string, detail: string): void {
    this.rejections.add(reason, detail);
  }

  /**
   * Takes one MQTT message; resolves once it is stored or rejected (so a broker acknowledging after this
   * promise gives at-least-once delivery into the database). Never rejects.
   */
  async handle(topic: string, payload: Uint8Array): Promise<void> {
    this.received++;
    let message: EmbeddingMessage;
    try {
      message = await this.validate(topic, payload);
    } catch (error) {
      if (error instanceof Rejection) this.rejections.add(error.reason, error.message);
      else this.rejections.add('internal', error instanceof Error ? error.message : String(error));
      return;
    }
    await new Promise<void>((done) => {
      this.queue.push({ message, done, at: performance.now() });
      this.schedule();
    });
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
    if (!(await this.deviceKnown(message.deviceId))) throw new Rejection('unknown-device', where);
    const release = await this.options.releases.row(message.release);
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
    if (this.busy > 0 || this.queue.length === 0) return;
    const now = performance.now();
    const due = this.queue.length >= this.batchSize ? now : this.queue[0]!.at + this.flushMs;
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
      .finally(() => {
        this.busy--;
        this.schedule();
      });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatchSize);
    const counts = this.rejections.takePending();
    try {
      if (counts.size) await addRejections(this.options.db, counts);
    } catch (error) {
      this.rejections.restore(counts);
      this.log(`ingest: could not store rejection counts: ${(error as Error).message}`);
    }
    if (batch.length === 0) return;
    const rows: EmbeddingRow[] = [];
    // Rejected here (acknowledged, counted, never retried).
    const rejected = new Set<Waiting>();
    const seen = new Set<string>();
    const byRelease = new Map<string, Waiting[]>();
    for (const w of batch) {
      const key = `${w.message.deviceId}\u0000${w.message.seq}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = byRelease.get(w.message.release);
      if (list) list.push(w);
      else byRelease.set(w.message.release, [w]);
    }
    for (const [releaseId, waiting] of byRelease) {
      try {
        const model = await this.options.releases.model(releaseId);
        const h = new Float32Array(waiting.length * model.ecgDim);
        for (const [i, w] of waiting.entries()) h.set(w.message.h, i * model.ecgDim);
        const z = model.projectEcg(h, waiting.length);
        waiting.forEach((w, i) => {
          const m = w.message;
          const zi = z.subarray(i * model.sharedDim, (i + 1) * model.sharedDim);
          // Finite h can still overflow the projection; such a row would make the whole batch fail.
          if (!zi.every(Number.isFinite)) {
            rejected.add(w);
            this.rejections.add('projection-non-finite', `${m.deviceId}#${m.seq}: z holds NaN or infinity`);
            return;
          }
          rows.push({
            deviceId: m.deviceId,
            seq: m.seq,
            t0: m.t0,
            release: m.release,
            leadMask: m.leadMask,
            quality: m.quality,
            patientId: m.patientId,
            studyId: m.studyId,
            h: m.h,
            z: zi,
          });
        });
      } catch (error) {
        for (const w of waiting) {
          rejected.add(w);
          this.rejections.add(
            'release-unavailable',
            `${w.message.deviceId}#${w.message.seq}: ${(error as Error).message}`,
          );
        }
      }
    }
    try {
      const inserted = await insertEmbeddings(this.options.db, rows);
      this.stored += inserted;
      this.options.onStored?.(rows);
      // Redeliveries: in-batch repeats plus rows the database already held.
      this.duplicates += batch.length - rejected.size - inserted;
    } catch (error) {
      // The database is down or refused the batch: leave the messages unacknowledged so the broker
      // (and the device's own queue) redeliver them; (device, seq) makes the retry safe.
      this.log(`ingest: storing ${rows.length} embeddings failed: ${(error as Error).message}`);
      for (const w of rejected) w.done();
      this.queue.unshift(...batch.filter((w) => !rejected.has(w)));
      this.retryAt = performance.now() + 1000;
      return;
    }
    for (const w of batch) w.done();
  }

  /** What the ingest has done since it started. */
  stats(): IngestStats {
    return {
      received: this.received,
      stored: this.stored,
      duplicates: this.duplicates,
      rejected: this.rejections.snapshot(),
    };
  }

  /** Flushes what waits (while flushes make progress) and stops the timer. */
  async close(): Promise<void> {
    let waiting = Number.POSITIVE_INFINITY;
    do {
      waiting = this.queue.length;
      await this.flush();
    } while (this.queue.length > 0 && this.queue.length < waiting);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
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
