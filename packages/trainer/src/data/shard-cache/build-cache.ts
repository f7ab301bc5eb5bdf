import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { PreprocessOptions } from '@heartline/ecg/signal';
import { startModuleWorker } from '@heartline/node-io';
import { ShardCacheError } from '../../errors.js';
import { PARTIAL_SUFFIX, writeFileAtomic } from './atomic-write.js';
import {
  MANIFEST_FILE,
  manifestMismatch,
  parseManifest,
  SHARD_CACHE_FORMAT,
  SHARD_CACHE_VERSION,
  type ShardCacheManifest,
  type ShardCacheSettings,
  type ShardEntry,
  shardFileName,
} from './manifest.js';
import type { RawRecord, RecordSource } from './record-source.js';
import type { PreprocessReply, WorkerInit, WriterMessage } from './worker-protocol.js';

/** Options of {@link buildShardCache}. */
export interface BuildShardCacheOptions {
  /** Input records per shard, ≥ 1. Default 1024 (about 25 MB of int16 windows). */
  readonly shardSize?: number;
  /** Preprocessing (default: heartline's model input). Recorded in the manifest. */
  readonly preprocess?: PreprocessOptions;
  /** Preprocessing worker threads, ≥ 1. Default: available cores, at most 4. */
  readonly workers?: number;
  /** Records handed to a worker per message (default 32): bounds the raw signals in flight. */
  readonly chunkSize?: number;
  /** Records done (reused shards count as done at the start) of all records. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called when a shard is finished and recorded in the manifest. */
  readonly onShard?: (entry: ShardEntry) => void;
  readonly signal?: AbortSignal;
}

/** What {@link buildShardCache} did. */
export interface BuildShardCacheResult {
  readonly manifest: ShardCacheManifest;
  /** Shards written by this call. */
  readonly written: number;
  /** Finished shards found from an earlier run and kept as they were. */
  readonly reused: number;
  /** Examples in the cache. */
  readonly examples: number;
  /** Records without a usable window (no signal, or shorter than a window). */
  readonly skipped: number;
}

/** One worker: each message sent gets one reply, in order. */
class PreprocessLink {
  private readonly waiting: { resolve: (r: PreprocessReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (r: PreprocessReply) => {
      const next = this.waiting.shift();
      if (r.type === 'error') next?.reject(new ShardCacheError(`preprocessing worker failed: ${r.message}`));
      else next?.resolve(r);
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const w of this.waiting.splice(0)) w.reject(error);
    };
    worker.on('error', (e) => fail(new ShardCacheError('preprocessing worker crashed', { cause: e })));
    worker.on('exit', (code) => fail(new ShardCacheError(`preprocessing worker exited (code ${code})`)));
  }

  send(message: WriterMessage): Promise<PreprocessReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message, message.type === 'records' ? transferables(message.records) : []);
    });
  }
}

function transferables(records: readonly RawRecord[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const r of records) {
    for (const lead of r.signal?.leads ?? []) {
      if (lead.buffer instanceof ArrayBuffer) buffers.add(lead.buffer);
    }
  }
  return [...buffers];
}

async function readManifest(dir: string): Promise<ShardCacheManifest | undefined> {
  const path = join(dir, MANIFEST_FILE);
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  return text === undefined ? undefined : parseManifest(text, path);
}

/**
 * Preprocesses `sources` into a shard cache in `dir` (see manifest.ts and shard-file.ts), in worker
 * threads, resuming an interrupted build: shards the manifest lists as finished (and whose files have
 * the recorded size) are kept untouched and their records are not read again. A `dir` holding a cache
 * built with other settings or from other records is refused with {@link ShardCacheError}, never
 * silently reused or overwritten.
 */
export async function buildShardCache(
  dir: string,
  sources: readonly RecordSource[],
  options: BuildShardCacheOptions = {},
): Promise<BuildShardCacheResult> {
  const shardSize = options.shardSize ?? 1024;
  if (!Number.isInteger(shardSize) || shardSize < 1) {
    throw new RangeError(`shardSize must be a positive integer, got ${shardSize}`);
  }
  const workerCount = options.workers ?? Math.min(4, availableParallelism());
  if (!Number.isInteger(workerCount) || workerCount < 1) {
    throw new RangeError(`workers must be a positive integer, got ${workerCount}`);
  }
  const chunkSize = options.chunkSize ?? 32;
  const settings: ShardCacheSettings = {
    shardSize,
    preprocess: options.preprocess ?? {},
    encoding: 'int16-lead-scale',
  };
  const digest = createHash('sha256');
  for (const s of sources) digest.update(s.key).update('\n');
  const input = { records: sources.length, digest: digest.digest('hex') };
  const shardCount = Math.ceil(sources.length / shardSize);

  await mkdir(dir, { recursive: true });
  // Temporary files of a killed run are never part of the cache.
  for (const name of await readdir(dir)) {
    if (name.endsWith(PARTIAL_SUFFIX)) await rm(join(dir, name), { force: true });
  }
  const previous = await readManifest(dir);
  if (previous) {
    const why = manifestMismatch(previous, settings, input);
    if (why) {
      throw new ShardCacheError(
        `${dir} holds a shard cache that does not match (${why}); delete it or choose another folder`,
      );
    }
  }
  const finished = new Map<number, ShardEntry>();
  for (const entry of previous?.shards ?? []) {
    const size = await stat(join(dir, entry.file)).then(
      (s) => s.size,
      () => -1,
    );
    if (size === entry.bytes) finished.set(entry.index, entry);
  }
  const manifest = (): ShardCacheManifest => ({
    format: SHARD_CACHE_FORMAT,
    version: SHARD_CACHE_VERSION,
    settings,
    input,
    shardCount,
    shards: [...finished.values()].sort((a, b) => a.index - b.index),
  });
  let manifestWrite = writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest(), null, 1)}\n`);
  await manifestWrite;

  const reused = finished.size;
  const pending = [...Array(shardCount).keys()].filter((k) => !finished.has(k));
  let done = [...finished.values()].reduce((a, e) => a + e.sourceCount, 0);
  options.onProgress?.(done, sources.length);

  const init: WorkerInit = { preprocess: settings.preprocess, shardSize };
  const links = Array.from(
    { length: Math.min(workerCount, pending.length) },
    () => new PreprocessLink(startModuleWorker(import.meta.url, 'preprocess-worker', { workerData: init })),
  );

  async function buildShard(link: PreprocessLink, index: number): Promise<void> {
    const first = index * shardSize;
    const last = Math.min(sources.length, first + shardSize);
    // Reading the next chunk overlaps with the worker preprocessing the previous one.
    let inFlight: Promise<unknown> = Promise.resolve();
    for (let at = first; at < last; at += chunkSize) {
      options.signal?.throwIfAborted();
      const chunk = sources.slice(at, Math.min(last, at + chunkSize));
      const records = await Promise.all(chunk.map((s) => s.read()));
      await inFlight;
      inFlight = link.send({ type: 'records', records }).then(() => {
        done += chunk.length;
        options.onProgress?.(done, sources.length);
      });
      // Marked handled so a worker failure surfaces at the next await, not as an unhandled rejection.
      inFlight.catch(() => undefined);
    }
    await inFlight;
    const file = shardFileName(index);
    const reply = await link.send({ type: 'end', path: join(dir, file) });
    if (reply.type !== 'done') throw new ShardCacheError(`worker replied '${reply.type}' to 'end'`);
    const entry: ShardEntry = {
      index,
      file,
      firstSource: first,
      sourceCount: last - first,
      examples: reply.examples,
      bytes: reply.bytes,
      sha256: reply.sha256,
    };
    finished.set(index, entry);
    // Manifest writes are chained so they land in order and the last one lists every finished shard.
    manifestWrite = manifestWrite.then(() =>
      writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest(), null, 1)}\n`),
    );
    await manifestWrite;
    options.onShard?.(entry);
  }

  let next = 0;
  try {
    await Promise.all(
      links.map(async (link) => {
        while (next < pending.length) await buildShard(link, pending[next++]!);
      }),
    );
  } finally {
    await Promise.all(links.map((l) => l.worker.terminate()));
  }
  const final = manifest();
  return {
    manifest: final,
    written: pending.length,
    reused,
    examples: final.shards.reduce((a, e) => a + e.examples, 0),
    skipped: final.shards.reduce((a, e) => a + e.sourceCount - e.examples, 0),
  };
}
