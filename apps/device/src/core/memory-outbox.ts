/**
 * An outbox in memory, for a browser page and for tests: messages do not survive a restart, the sequence
 * number does (kept in a `SequenceStore`, localStorage in a page). Same contract as the file outbox: a
 * message leaves only on `ack`; beyond `maxMessages` the OLDEST is dropped and counted.
 */
import { InvalidArgumentError } from '@heartline/model/errors';
import type { MessageOutbox, QueuedMessage } from './ports.js';

/** Where a device's next sequence number is kept. */
export interface SequenceStore {
  /** The next seq of `deviceId` (0 when none was stored). */
  load(deviceId: string): number;
  /** Remembers the next seq of `deviceId`. */
  save(deviceId: string, next: number): void;
}

/** Options of `MemoryOutbox`. */
export interface MemoryOutboxOptions {
  readonly deviceId: string;
  /** Where the next seq is kept. Default: nowhere (starts at 0 every time). */
  readonly sequence?: SequenceStore;
  /** Messages kept; the oldest is dropped beyond it. Default 1,000, at least 1. */
  readonly maxMessages?: number;
}

/** A bounded in-memory FIFO keyed by a sequence number that outlives it. */
export class MemoryOutbox implements MessageOutbox {
  private readonly queue: QueuedMessage[] = [];
  private readonly inFlight = new Set<number>();
  private nextSeq: number;
  private droppedCount = 0;
  private readonly maxMessages: number;

  constructor(private readonly options: MemoryOutboxOptions) {
    this.maxMessages = options.maxMessages ?? 1000;
    if (!(Number.isInteger(this.maxMessages) && this.maxMessages >= 1))
      throw new InvalidArgumentError('maxMessages', this.maxMessages, 'must be an integer ≥ 1');
    this.nextSeq = options.sequence?.load(options.deviceId) ?? 0;
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

  async append(build: (seq: number) => Uint8Array): Promise<number> {
    const seq = this.nextSeq++;
    // The seq is stored before the message exists anywhere, so a restart never reuses it.
    this.options.sequence?.save(this.options.deviceId, this.nextSeq);
    this.queue.push({ seq, payload: build(seq) });
    while (this.queue.length > this.maxMessages) {
      const oldest = this.queue.shift()!;
      this.inFlight.delete(oldest.seq);
      this.droppedCount++;
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
    if (i >= 0) this.queue.splice(i, 1);
  }

  nack(seq: number): void {
    this.inFlight.delete(seq);
  }

  async flush(): Promise<void> {}
}
