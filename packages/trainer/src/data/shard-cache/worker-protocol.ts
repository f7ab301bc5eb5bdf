import type { PreprocessOptions } from '@heartline/ecg/signal';
import type { RawRecord } from './record-source.js';

/**
 * Messages between the cache writer and its preprocessing workers. The writer reads records (file I/O
 * and WFDB decoding on its thread) and streams them to a worker in chunks; the worker preprocesses,
 * quantises, and on `end` writes the shard file atomically. Each message gets exactly one reply, in order.
 */
export interface WorkerInit {
  readonly preprocess: PreprocessOptions;
  readonly shardSize: number;
}

export type WriterMessage =
  | { readonly type: 'records'; readonly records: readonly RawRecord[] }
  | { readonly type: 'end'; readonly path: string };

export type PreprocessReply =
  | { readonly type: 'ack' }
  | { readonly type: 'done'; readonly examples: number; readonly bytes: number; readonly sha256: string }
  | { readonly type: 'error'; readonly message: string };
