/**
 * An outbox held in memory, for a browser page and for tests, optionally journaled (IndexedDB in a page)
 * so unsent messages outlive a reload; the sequence number is kept in a `SequenceStore` (localStorage
 * in a page). Same contract as the file outbox: a message leaves only on `ack`; beyond `maxMessages` the
 * OLDEST is dropped and counted; on open the next seq is max(stored, highest journaled + 1), so a seq is
 * never reused.
 */
import { InvalidArgumentError } from '@heartline/model/errors';
import type { MessageOutbox, QueuedMessage } from './ports.js';
import { Serial } from './serial.js';

/** Where a device's next sequence number is kept. */
export interface SequenceStore {
  /** The next seq of `deviceId` (0 when none was stored). */
  load(deviceId: string): number;
  /** Remembers the next seq of `deviceId`. */
  save(deviceId: string, next: number): void;
}

/** Where queued messages are written so they outlive the process or page. */
export interface MessageJournal {
  /** Every message written and not deleted, in any order. */
  load(): Promise<QueuedMessage[]>;
  put(message: QueuedMessage): Promise<void>;
  delete(seq: number): Promise<void>;
}

/** Options of `MemoryOutbox.open`. */
export interface MemoryOutboxOptions {
  readonly deviceId: string;
  /** Where the next seq is kept. Default: nowhere (starts at 0 every time). */
  readonly sequence?: SequenceStore;
  /** Where messages are journaled. Default: nowhere (they live as long as the outbox). */
  readonly journal?: MessageJournal;
  /** Messages kept; the oldest is dropped beyond it. Default 1,000, at least 1. */
  readonly maxMessages?: number;
}

/** A bounded FIFO keyed by a sequence number that outlives it. */
export class MemoryOutbox implements MessageOutbox {
  private readonly queue: QueuedMessage[];
  private readonly inFlight = new Set<number>();
  private nextSeq: number;
  private droppedCount = 0;
  private readonly maxMessages: number;
  private readonly appends = new Serial();

  private constructor(
    private readonly options: MemoryOutboxOptions,
    restored: QueuedMessage[],
  ) {
    this.maxMessages = options.maxMessages ?? 1000;
    if (!(Number.isInteger(this.maxMessages) && this.maxMessages >= 1))
      throw new InvalidArgumentError('maxMessages', this.maxMessages, 'must be an integer ≥ 1');
    this.queue = [...restored].sort((a, b) => a.seq - b.seq);
    const last = this.queue.at(-1);
    this.nextSeq = Math.max(options.sequence?.load(options.deviceId) ?? 0, last ? last.seq + 1 : 0);
  }

  /** Opens the outbox with what the journal holds. */
  static async open(options: MemoryOutboxOptions): Promise<MemoryOutbox> {
    return new MemoryOutbox(options, (await options.journal?.load()) ?? []);
  }

  get depth(): number {
    return this.queue.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get sequence(): number {
    return this.nextSeq;
  }

  append(build: (seq: number) => Uint8Array): Promise<number> {
    return this.appends.run(() => this.doAppend(build));
  }

  private async doAppend(build: (seq: number) => Uint8Array): Promise<number> {
    const seq = this.nextSeq++;
    // The seq is stored before the message exists anywhere, so a restart never reuses it.
    this.options.sequence?.save(this.options.deviceId, this.nextSeq);
    const message = { seq, payload: build(seq) };
    await this.options.journal?.put(message);
    this.queue.push(message);
    while (this.queue.length > this.maxMessages) {
      const oldest = this.queue.shift()!;
      this.inFlight.delete(oldest.seq);
      this.droppedCount++;
      await this.options.journal?.delete(oldest.seq);
    }
    return seq;
  }

  async take(max: number): Promise<QueuedMessage[]> {
    const out: QueuedMessage[] = [];
    for (const message of this.queue) {
      if (out.length >= max) break;
      if (this.inFlight.has(message.seq)) continue;
      this.inFlight.add(message.seq);
      out.push(message);
    }
    return out;
  }

  async ack(seq: number): Promise<void> {
    this.inFlight.delete(seq);
    const i = this.queue.findIndex((m) => m.seq === seq);
    if (i < 0) return;
    this.queue.splice(i, 1);
    await this.options.journal?.delete(seq);
  }

  nack(seq: number): void {
    this.inFlight.delete(seq);
  }

  async flush(): Promise<void> {
    await this.appends.idle();
  }

  heldFrom(fromSeq: number): number {
    return this.queue.filter((m) => m.seq >= fromSeq).length;
  }
}
