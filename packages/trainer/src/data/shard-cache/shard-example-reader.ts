import type { ExampleReader } from '../example-reader.js';
import { shardEpochOrder } from './epoch-order.js';
import { dequantiseRows } from './quantise.js';
import type { QuantisedShard } from './shard-file.js';
import type { ShardSource } from './shard-source.js';

/** Options of {@link shardExampleReader}. */
export interface ShardExampleReaderOptions {
  /** Shards shuffled together per epoch (see `shardEpochOrder`), ≥ 1. Default 4. */
  readonly shardsPerWindow?: number;
  /** Decoded shards kept in memory (least recently used goes first), ≥ 1. Default 2 × `shardsPerWindow`. */
  readonly cachedShards?: number;
}

/**
 * An {@link ExampleReader} over a shard cache (or any {@link ShardSource}): windows are dequantised from
 * at most `cachedShards` shards held in memory, and the epoch order is `shardEpochOrder`'s, so reading
 * an epoch in order reads each shard about once. Only the record ids (read from the shards' metadata
 * heads once) are kept for every example.
 */
export function shardExampleReader(
  cache: ShardSource,
  options: ShardExampleReaderOptions = {},
): ExampleReader & { readonly shardReads: number } {
  const shardsPerWindow = options.shardsPerWindow ?? 4;
  const capacity = options.cachedShards ?? 2 * shardsPerWindow;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`cachedShards must be a positive integer, got ${capacity}`);
  }
  const starts: number[] = [];
  const ids: string[] = [];
  cache.shardSizes.forEach((size, k) => {
    starts.push(k === 0 ? 0 : starts[k - 1]! + cache.shardSizes[k - 1]!);
    if (size > 0) ids.push(...cache.readShardMeta(k).ids);
  });
  const shardOf = (example: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= example) lo = mid;
      else hi = mid - 1;
    }
    while (cache.shardSizes[lo] === 0) lo += 1;
    return lo;
  };
  const loaded = new Map<number, QuantisedShard>();
  let shardReads = 0;
  const load = (k: number): QuantisedShard => {
    const hit = loaded.get(k);
    if (hit) {
      loaded.delete(k);
      loaded.set(k, hit);
      return hit;
    }
    const shard = cache.readShard(k);
    shardReads += 1;
    loaded.set(k, shard);
    if (loaded.size > capacity) loaded.delete(loaded.keys().next().value!);
    return shard;
  };
  return {
    size: ids.length,
    ids,
    get shardReads() {
      return shardReads;
    },
    epochOrder: (epoch, seed, shuffle) =>
      shardEpochOrder(cache.shardSizes, epoch, { seed, shuffle, shardsPerWindow }),
    read(index, ecg, ecgAt, leadMask, maskAt) {
      if (!(index >= 0 && index < ids.length))
        throw new RangeError(`example ${index} is outside 0–${ids.length - 1}`);
      const k = shardOf(index);
      const row = index - starts[k]!;
      const { meta, codes, scales, leadMasks } = load(k);
      const { leads, windowLength } = meta;
      if (leads * windowLength !== 12 * 1000) {
        throw new RangeError(`shard ${k} has windows of ${leads} × ${windowLength}, not 12 × 1000`);
      }
      const w = leads * windowLength;
      dequantiseRows(
        codes.subarray(row * w, (row + 1) * w),
        scales.subarray(row * leads, (row + 1) * leads),
        leads,
        windowLength,
        ecg,
        ecgAt,
      );
      leadMask.set(leadMasks.subarray(row * leads, (row + 1) * leads), maskAt);
      return {
        report: meta.reports[row]!,
        reportKey: meta.reportKeys[row]!,
        language: meta.languages[row]!,
        labels: meta.labels[row]!,
        fold: meta.folds[row]!,
        source: meta.sources[row]!,
        id: meta.ids[row]!,
      };
    },
  };
}
