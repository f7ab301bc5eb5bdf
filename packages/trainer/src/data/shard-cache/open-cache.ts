import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PreprocessOptions } from '@heartline/ecg/signal';
import { ShardCacheError } from '../../errors.js';
import {
  canonicalJson,
  MANIFEST_FILE,
  parseManifest,
  SHARD_CACHE_FORMAT,
  SHARD_CACHE_VERSION,
  type ShardCacheManifest,
} from './manifest.js';
import {
  decodeShard,
  type QuantisedShard,
  readShardMetaBytes,
  SHARD_HEAD_BYTES,
  type ShardMeta,
  shardMetaLength,
} from './shard-file.js';

/** A finished shard cache on disk; shards are read on demand, one file at a time. */
export interface ShardCache {
  readonly dir: string;
  readonly manifest: ShardCacheManifest;
  /** Examples in the cache. */
  readonly size: number;
  /** Examples per shard, in shard order. */
  readonly shardSizes: readonly number[];
  /** Reads and decodes shard `index` (synchronously: batch sources serve batches synchronously). */
  readShard(index: number): QuantisedShard;
  /** Reads only the metadata at the head of shard `index`. */
  readShardMeta(index: number): ShardMeta;
}

/** Options of {@link openShardCache}. */
export interface OpenShardCacheOptions {
  /** Refuse the cache unless it was built with exactly these preprocessing options. Default: not checked. */
  readonly preprocess?: PreprocessOptions;
}

/**
 * Opens the cache in `dir`: checks the manifest's format and version, that every shard is finished and
 * its file has the recorded size, and (when given) the preprocessing options. Throws
 * {@link ShardCacheError} saying which check failed.
 */
export function openShardCache(dir: string, options: OpenShardCacheOptions = {}): ShardCache {
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: ShardCacheManifest;
  try {
    manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  } catch (error) {
    throw new ShardCacheError(`${dir}: no readable shard cache (${MANIFEST_FILE}); build it first`, {
      cause: error,
    });
  }
  if (manifest.format !== SHARD_CACHE_FORMAT || manifest.version !== SHARD_CACHE_VERSION) {
    throw new ShardCacheError(
      `${dir}: cache format version ${manifest.version}, this build reads ${SHARD_CACHE_VERSION}; rebuild it`,
    );
  }
  if (manifest.shards.length !== manifest.shardCount) {
    throw new ShardCacheError(
      `${dir}: cache unfinished (${manifest.shards.length} of ${manifest.shardCount} shards); rerun the build to resume it`,
    );
  }
  if (
    options.preprocess &&
    canonicalJson(options.preprocess) !== canonicalJson(manifest.settings.preprocess)
  ) {
    throw new ShardCacheError(
      `${dir}: cache preprocessed with ${canonicalJson(manifest.settings.preprocess)}, asked for ${canonicalJson(options.preprocess)}; rebuild it in another folder`,
    );
  }
  manifest.shards.forEach((entry, k) => {
    const path = join(dir, entry.file);
    const bytes = statSync(path, { throwIfNoEntry: false })?.size;
    if (entry.index !== k || bytes !== entry.bytes) {
      throw new ShardCacheError(`${path}: shard ${k} missing or not ${entry.bytes} bytes; rebuild the cache`);
    }
  });
  const pathOf = (index: number) => {
    const entry = manifest.shards[index];
    if (!entry) throw new RangeError(`shard index ${index} is outside 0–${manifest.shardCount - 1}`);
    return join(dir, entry.file);
  };
  const shardSizes = manifest.shards.map((e) => e.examples);
  return {
    dir,
    manifest,
    size: shardSizes.reduce((a, b) => a + b, 0),
    shardSizes,
    readShard: (index) => {
      const path = pathOf(index);
      return decodeShard(readFileSync(path), path);
    },
    readShardMeta: (index) => {
      const path = pathOf(index);
      const fd = openSync(path, 'r');
      try {
        const head = new Uint8Array(SHARD_HEAD_BYTES);
        readSync(fd, head, 0, SHARD_HEAD_BYTES, 0);
        const bytes = new Uint8Array(SHARD_HEAD_BYTES + shardMetaLength(head, path));
        readSync(fd, bytes, 0, bytes.length, 0);
        return readShardMetaBytes(bytes, path);
      } finally {
        closeSync(fd);
      }
    },
  };
}
