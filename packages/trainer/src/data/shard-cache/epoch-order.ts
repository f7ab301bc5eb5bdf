import { Rng } from '@heartline/ecg';

/** Options of {@link shardEpochOrder}. */
export interface EpochOrderOptions {
  readonly seed: number | string;
  /** False keeps the cache's order (validation). Default true. */
  readonly shuffle?: boolean;
  /** Shards mixed together; see {@link shardEpochOrder}. At least 1. */
  readonly shardsPerWindow: number;
}

/**
 * The example order of one epoch over shards of the given sizes, as global example indices (shard k's
 * examples follow shard k − 1's). The scheme, which reads each shard into memory about once per epoch:
 *
 * 1. shuffle the shard order (seed `shards:<seed>:<epoch>`);
 * 2. cut it into windows of `shardsPerWindow` consecutive shards;
 * 3. in each window take its shards' examples in ascending index order and shuffle them (Fisher–Yates,
 *    seed `batches:<seed>:<epoch>` for the first window, `…:<epoch>:<w>` for window w > 0);
 * 4. concatenate the windows.
 *
 * A batch thus mixes examples of up to `shardsPerWindow` shards (two windows' worth at a window edge).
 * When one window holds every shard, step 3 is exactly the in-memory source's shuffle
 * (`createBatchSource`), so both give the same order for a seed: the equality the cache is tested by.
 */
export function shardEpochOrder(
  shardSizes: readonly number[],
  epoch: number,
  options: EpochOrderOptions,
): Int32Array {
  const { shardsPerWindow } = options;
  if (!Number.isInteger(shardsPerWindow) || shardsPerWindow < 1) {
    throw new RangeError(`shardsPerWindow must be a positive integer, got ${shardsPerWindow}`);
  }
  const starts: number[] = [];
  let total = 0;
  for (const size of shardSizes) {
    starts.push(total);
    total += size;
  }
  const order = new Int32Array(total);
  if (options.shuffle === false) {
    for (let i = 0; i < total; i++) order[i] = i;
    return order;
  }
  const seed = String(options.seed);
  const shards = new Rng(`shards:${seed}:${epoch}`).shuffle([...shardSizes.keys()]);
  let at = 0;
  for (let w = 0; w * shardsPerWindow < shards.length; w++) {
    const members = shards.slice(w * shardsPerWindow, (w + 1) * shardsPerWindow).sort((a, b) => a - b);
    const indices: number[] = [];
    for (const k of members) for (let i = 0; i < shardSizes[k]!; i++) indices.push(starts[k]! + i);
    new Rng(w === 0 ? `batches:${seed}:${epoch}` : `batches:${seed}:${epoch}:${w}`).shuffle(indices);
    order.set(indices, at);
    at += indices.length;
  }
  return order;
}
