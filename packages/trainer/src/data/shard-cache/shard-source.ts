import type { ExampleSet } from '../example-set.js';
import type { ShardCache } from './open-cache.js';
import { quantiseRows } from './quantise.js';
import type { QuantisedShard, ShardMeta } from './shard-file.js';

/**
 * What batch sources and example readers need of a shard cache: shard sizes and shard reads. A cache on
 * disk is one; so are in-memory shards ({@link shardsOfExamples}) and several sources end to end
 * ({@link concatShardSources}), which is how a run mixes its cached archive with the bounded in-memory
 * examples of its recipe (synthetic ECGs, real reports paired with synthetic ECGs).
 */
export type ShardSource = Pick<ShardCache, 'size' | 'shardSizes' | 'readShard' | 'readShardMeta'>;

const LEADS = 12;
const LENGTH = 1000;

/**
 * `set` quantised (int16, as the cache writer stores windows) into in-memory shards of `shardSize`
 * examples, so it can join a cache. Holds about half the bytes of `set`, which the caller may drop.
 */
export function shardsOfExamples(set: ExampleSet, shardSize = 1024): ShardSource {
  if (!Number.isInteger(shardSize) || shardSize < 1) {
    throw new RangeError(`shardSize must be a positive integer, got ${shardSize}`);
  }
  const shards: QuantisedShard[] = [];
  for (let first = 0; first < set.size; first += shardSize) {
    const count = Math.min(shardSize, set.size - first);
    const codes = new Int16Array(count * LEADS * LENGTH);
    const scales = new Float32Array(count * LEADS);
    for (let i = 0; i < count; i++) {
      const w = LEADS * LENGTH;
      quantiseRows(
        set.windows.subarray((first + i) * w, (first + i + 1) * w),
        LEADS,
        LENGTH,
        codes.subarray(i * w, (i + 1) * w),
        scales.subarray(i * LEADS, (i + 1) * LEADS),
      );
    }
    const pick = <T>(xs: readonly T[]) => xs.slice(first, first + count);
    const meta: ShardMeta = {
      count,
      leads: LEADS,
      windowLength: LENGTH,
      reports: pick(set.reports),
      reportKeys: pick(set.reportKeys),
      languages: pick(set.languages),
      labels: pick(set.labels),
      folds: Array.from(set.folds.subarray(first, first + count)),
      sources: pick(set.sources),
      ids: pick(set.ids),
    };
    shards.push({
      meta,
      scales,
      leadMasks: set.leadMasks.slice(first * LEADS, (first + count) * LEADS),
      codes,
    });
  }
  const at = (index: number) => {
    const shard = shards[index];
    if (!shard) throw new RangeError(`shard index ${index} is outside 0–${shards.length - 1}`);
    return shard;
  };
  return {
    size: set.size,
    shardSizes: shards.map((s) => s.meta.count),
    readShard: at,
    readShardMeta: (index) => at(index).meta,
  };
}

/** `sources` end to end: shard k of the result is the k-th shard counting through them in order. */
export function concatShardSources(sources: readonly ShardSource[]): ShardSource {
  const owners: [ShardSource, number][] = sources.flatMap((s) =>
    s.shardSizes.map((_, k): [ShardSource, number] => [s, k]),
  );
  const owner = (index: number) => {
    const found = owners[index];
    if (!found) throw new RangeError(`shard index ${index} is outside 0–${owners.length - 1}`);
    return found;
  };
  return {
    size: sources.reduce((a, s) => a + s.size, 0),
    shardSizes: sources.flatMap((s) => s.shardSizes),
    readShard: (index) => {
      const [s, k] = owner(index);
      return s.readShard(k);
    },
    readShardMeta: (index) => {
      const [s, k] = owner(index);
      return s.readShardMeta(k);
    },
  };
}
