import type { ExampleReader } from '../example-reader.js';
import { shardEpochOrder } from './epoch-order.js';
import { dequantiseRows } from './quantise.js';
import { type ShardWindowOptions, shardLocator, shardLru, shardWindow } from './shard-lru.js';
import type { ShardSource } from './shard-source.js';

/** Options of {@link shardExampleReader}. */
export type ShardExampleReaderOptions = ShardWindowOptions;

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
  const { shardsPerWindow, capacity } = shardWindow(options);
  const ids: string[] = [];
  cache.shardSizes.forEach((size, k) => {
    if (size > 0) ids.push(...cache.readShardMeta(k).ids);
  });
  const { starts, shardOf } = shardLocator(cache.shardSizes);
  const shards = shardLru(capacity, (k) => cache.readShard(k));
  return {
    size: ids.length,
    ids,
    get shardReads() {
      return shards.reads;
    },
    epochOrder: (epoch, seed, shuffle) =>
      shardEpochOrder(cache.shardSizes, epoch, { seed, shuffle, shardsPerWindow }),
    read(index, ecg, ecgAt, leadMask, maskAt) {
      if (!(index >= 0 && index < ids.length))
        throw new RangeError(`example ${index} is outside 0–${ids.length - 1}`);
      const k = shardOf(index);
      const row = index - starts[k]!;
      const { meta, codes, scales, leadMasks } = shards.load(k);
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
