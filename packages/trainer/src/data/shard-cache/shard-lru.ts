/** Where examples sit in a shard cache, and the few decoded shards kept in memory while reading it. */

/** The options both shard readers take: shards shuffled together per epoch and shards kept decoded. */
export interface ShardWindowOptions {
  /** Shards shuffled together per epoch (see `shardEpochOrder`), ≥ 1. Default 4. */
  readonly shardsPerWindow?: number;
  /** Decoded shards kept in memory (least recently used goes first), ≥ 1. Default 2 × `shardsPerWindow`. */
  readonly cachedShards?: number;
}

/** The window and capacity of `options`, with their defaults; a RangeError for a capacity below 1. */
export function shardWindow(options: ShardWindowOptions): { shardsPerWindow: number; capacity: number } {
  const shardsPerWindow = options.shardsPerWindow ?? 4;
  const capacity = options.cachedShards ?? 2 * shardsPerWindow;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`cachedShards must be a positive integer, got ${capacity}`);
  }
  return { shardsPerWindow, capacity };
}

/** The first example of each shard, and the shard holding an example (empty shards stepped past). */
export function shardLocator(shardSizes: readonly number[]): {
  readonly starts: readonly number[];
  shardOf(example: number): number;
} {
  const starts: number[] = [];
  for (let k = 0; k < shardSizes.length; k++) starts.push(k === 0 ? 0 : starts[k - 1]! + shardSizes[k - 1]!);
  return {
    starts,
    shardOf(example) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= example) lo = mid;
        else hi = mid - 1;
      }
      // Empty shards share their start with the next one; step past them.
      while (shardSizes[lo] === 0) lo += 1;
      return lo;
    },
  };
}

/** At most `capacity` decoded shards, least recently used dropped first; `reads` counts shard reads. */
export function shardLru<T>(
  capacity: number,
  read: (shard: number) => T,
): { load(shard: number): T; readonly reads: number } {
  const loaded = new Map<number, T>();
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    load(k) {
      const hit = loaded.get(k);
      if (hit !== undefined) {
        loaded.delete(k);
        loaded.set(k, hit);
        return hit;
      }
      const value = read(k);
      reads += 1;
      loaded.set(k, value);
      if (loaded.size > capacity) loaded.delete(loaded.keys().next().value!);
      return value;
    },
  };
}
