/**
 * The disk-backed outgoing queue. One file per message, `queue/<seq>.msg` (seq zero-padded, so names
 * sort by seq), and `outbox.json` with the next sequence number and the drop counter.
 *
 * Durability: a message file is written to a temp name and renamed (fsync'd first when `fsync` is on,
 * the default), then `outbox.json` is rewritten the same way. On open, the next seq is the larger of
 * `outbox.json`'s and (highest queued seq + 1), so a crash between the two writes neither reuses a seq
 * nor leaves a gap; a crash before the rename loses only that window, which never got a seq.
 * A message is deleted only after `ack` (the broker's PUBACK), so a restarted device resends every
 * unacknowledged message: at least once; the cloud dedups by (deviceId, seq).
 *
 * Bound: each file is counted at its size rounded up to 4 KiB (one filesystem block: what it really
 * takes on disk). When appending would exceed `maxQueueBytes`, the OLDEST messages are deleted (the
 * newest data is worth more to a monitoring service) and `dropped` counts them.
 */
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '@heartline/model/errors';
import type { MessageOutbox, QueuedMessage } from '../core/ports.js';
import { Serial } from '../core/serial.js';
import { writeFileAtomic } from './durable-file.js';

/** Options of `Outbox.open`. */
export interface OutboxOptions {
  /** Largest disk use of the queue in bytes (files counted in 4 KiB blocks). Default 50 MB. */
  readonly maxQueueBytes?: number;
  /** fsync each message and the counters before they count as written. Default true. */
  readonly fsync?: boolean;
}

export type { QueuedMessage } from '../core/ports.js';

interface Entry {
  readonly seq: number;
  readonly cost: number;
}

const BLOCK = 4096;
const SEQ_DIGITS = 15;
const NAME = /^(\d{15})\.msg$/;

function cost(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / BLOCK)) * BLOCK;
}

/** A persistent FIFO of encoded messages keyed by a sequence number that survives restarts. */
export class Outbox implements MessageOutbox {
  private readonly queue: Entry[] = [];
  private readonly inFlight = new Set<number>();
  private bytes = 0;
  private readonly appends = new Serial();

  private constructor(
    private readonly dir: string,
    private nextSeq: number,
    private droppedCount: number,
    private readonly maxQueueBytes: number,
    private readonly fsync: boolean,
  ) {}

  /** Opens (creating when missing) the outbox in `dir` and indexes the messages already queued there. */
  static async open(dir: string, options: OutboxOptions = {}): Promise<Outbox> {
    const maxQueueBytes = options.maxQueueBytes ?? 50_000_000;
    if (!(maxQueueBytes >= BLOCK)) {
      throw new InvalidArgumentError(
        'maxQueueBytes',
        maxQueueBytes,
        `must be at least ${BLOCK} (one message)`,
      );
    }
    const queueDir = join(dir, 'queue');
    await mkdir(queueDir, { recursive: true });
    let counters = { nextSeq: 0, dropped: 0 };
    try {
      counters = { ...counters, ...JSON.parse(await readFile(join(dir, 'outbox.json'), 'utf8')) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const entries: Entry[] = [];
    for (const name of await readdir(queueDir)) {
      const match = NAME.exec(name);
      if (!match) {
        // A temp file from a write that a crash interrupted: that window never got queued.
        if (name.endsWith('.tmp')) await unlink(join(queueDir, name)).catch(() => undefined);
        continue;
      }
      const size = (await stat(join(queueDir, name))).size;
      entries.push({ seq: Number(match[1]), cost: cost(size) });
    }
    entries.sort((a, b) => a.seq - b.seq);
    const last = entries.at(-1);
    const nextSeq = Math.max(counters.nextSeq, last ? last.seq + 1 : 0);
    const outbox = new Outbox(dir, nextSeq, counters.dropped, maxQueueBytes, options.fsync ?? true);
    for (const e of entries) {
      outbox.queue.push(e);
      outbox.bytes += e.cost;
    }
    return outbox;
  }

  /** Messages waiting for their PUBACK (including those being sent). */
  get depth(): number {
    return this.queue.length;
  }

  /** Disk use of the queue as counted against `maxQueueBytes`. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Messages deleted unsent because the bound was hit, over the device's lifetime. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The seq the next appended message gets. */
  get sequence(): number {
    return this.nextSeq;
  }

  /**
   * Assigns the next seq, builds the payload with it, and queues it durably; resolves with the seq once
   * the message is on disk. Appends are serialised.
   */
  append(build: (seq: number) => Uint8Array): Promise<number> {
    return this.appends.run(() => this.doAppend(build));
  }

  private async doAppend(build: (seq: number) => Uint8Array): Promise<number> {
    const seq = this.nextSeq;
    const payload = build(seq);
    const entry = { seq, cost: cost(payload.byteLength) };
    let dropped = 0;
    while (this.queue.length > 0 && this.bytes + entry.cost > this.maxQueueBytes) {
      const oldest = this.queue.shift()!;
      this.bytes -= oldest.cost;
      this.inFlight.delete(oldest.seq);
      await unlink(this.pathOf(oldest.seq)).catch(() => undefined);
      dropped++;
    }
    await writeFileAtomic(this.pathOf(seq), payload, this.fsync);
    this.nextSeq = seq + 1;
    this.droppedCount += dropped;
    await writeFileAtomic(
      join(this.dir, 'outbox.json'),
      JSON.stringify({ nextSeq: this.nextSeq, dropped: this.droppedCount }),
      this.fsync,
    );
    this.queue.push(entry);
    this.bytes += entry.cost;
    return seq;
  }

  /** Up to `max` of the oldest messages not already being sent, marked as being sent. */
  async take(max: number): Promise<QueuedMessage[]> {
    const out: QueuedMessage[] = [];
    for (const entry of this.queue) {
      if (out.length >= max) break;
      if (this.inFlight.has(entry.seq)) continue;
      this.inFlight.add(entry.seq);
      try {
        out.push({ seq: entry.seq, payload: new Uint8Array(await readFile(this.pathOf(entry.seq))) });
      } catch (error) {
        // Dropped for the bound while we read it: nothing to send.
        this.inFlight.delete(entry.seq);
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return out;
  }

  /** The broker acknowledged `seq`: delete it for good. */
  async ack(seq: number): Promise<void> {
    this.inFlight.delete(seq);
    const i = this.queue.findIndex((e) => e.seq === seq);
    if (i < 0) return;
    const [entry] = this.queue.splice(i, 1);
    this.bytes -= entry!.cost;
    await unlink(this.pathOf(seq)).catch(() => undefined);
  }

  /** Sending `seq` failed (e.g. the connection closed): it goes back to waiting. */
  nack(seq: number): void {
    this.inFlight.delete(seq);
  }

  /** Waits for appends in progress. */
  async flush(): Promise<void> {
    await this.appends.idle();
  }

  /** How many queued messages (waiting or being sent) have a seq ≥ `fromSeq`. */
  heldFrom(fromSeq: number): number {
    return this.queue.filter((e) => e.seq >= fromSeq).length;
  }

  private pathOf(seq: number): string {
    return join(this.dir, 'queue', `${String(seq).padStart(SEQ_DIGITS, '0')}.msg`);
  }
}
