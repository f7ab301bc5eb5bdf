import { Rng } from '@heartline/ecg';
import type { WordPieceTokenizer } from '@heartline/model/text';
import {
  type BatchSource,
  type BatchSourceOptions,
  checkedSpanProbability,
  fillReportRow,
  reportKeyNumbering,
} from '../batches.js';
import { shardEpochOrder } from './epoch-order.js';
import { dequantiseRows } from './quantise.js';
import type { QuantisedShard } from './shard-file.js';
import { type ShardWindowOptions, shardLocator, shardLru, shardWindow } from './shard-lru.js';
import type { ShardSource } from './shard-source.js';

/**
 * Options of {@link createShardBatchSource}: those of `createBatchSource` plus the shard scheme (a batch at
 * a window edge draws on two windows, hence the default LRU of 2 × `shardsPerWindow`; each decoded shard
 * costs about 25 MB at 1,024 examples per shard).
 */
export interface ShardBatchSourceOptions extends BatchSourceOptions, ShardWindowOptions {}

/** A batch source over a shard cache; `shardReads` counts shard files read so far. */
export interface ShardBatchSource extends BatchSource {
  readonly shardReads: number;
}

interface LoadedShard {
  readonly shard: QuantisedShard;
  readonly tokens: { readonly ids: Int32Array; readonly mask: Uint8Array };
}

/**
 * Serves the same batches as `createBatchSource` would over the whole cache loaded at once (same seeds,
 * same span augmentation, same report-key numbering in example order), but in the order of
 * `shardEpochOrder` and with at most `cachedShards` shards in memory, so memory does not grow with the
 * number of records beyond a few bytes per example (key ids and the epoch's order). With one window
 * holding every shard the order, and so every batch, equals the in-memory source's for the same seed.
 * Shards are read synchronously when a batch needs one that is not cached.
 */
export function createShardBatchSource(
  cache: ShardSource,
  tokenizer: WordPieceTokenizer,
  options: ShardBatchSourceOptions,
): ShardBatchSource {
  const { batchSize, maxTokens } = options;
  const spanProbability = checkedSpanProbability(options, cache.size);
  const { shardsPerWindow, capacity } = shardWindow(options);
  // Keys are numbered in example order, as the in-memory source numbers them, from the shards' heads.
  const keyOf = reportKeyNumbering();
  const { starts, shardOf } = shardLocator(cache.shardSizes);
  const pairKeys: Int32Array[] = [];
  let window = 0;
  cache.shardSizes.forEach((size, k) => {
    const meta = cache.readShardMeta(k);
    pairKeys.push(Int32Array.from(meta.reportKeys, keyOf));
    if (size === 0) return;
    const w = meta.leads * meta.windowLength;
    if (window !== 0 && w !== window)
      throw new RangeError(`shard ${k} has windows of ${w} values, not ${window}`);
    window = w;
  });
  const shards = shardLru(capacity, (k): LoadedShard => {
    const shard = cache.readShard(k);
    return { shard, tokens: tokenizer.encodeBatch(shard.meta.reportKeys, maxTokens) };
  });

  let order: { epoch: number; indices: Int32Array } | undefined;
  const orderOf = (epoch: number) => {
    if (order?.epoch !== epoch) {
      order = {
        epoch,
        indices: shardEpochOrder(cache.shardSizes, epoch, {
          seed: options.seed,
          shardsPerWindow,
          ...(options.shuffle === undefined ? {} : { shuffle: options.shuffle }),
        }),
      };
    }
    return order.indices;
  };

  return {
    batchSize,
    batchesPerEpoch: Math.floor(cache.size / batchSize),
    get shardReads() {
      return shards.reads;
    },
    batch(epoch, index) {
      const rows = orderOf(epoch).subarray(index * batchSize, (index + 1) * batchSize);
      const spanRng =
        spanProbability > 0 ? new Rng(`spans:${String(options.seed)}:${epoch}:${index}`) : undefined;
      const ecg = new Float32Array(batchSize * window);
      const leadMask = new Uint8Array(batchSize * 12);
      const tokenIds = new Int32Array(batchSize * maxTokens);
      const tokenMask = new Uint8Array(batchSize * maxTokens);
      const pairKey = new Int32Array(batchSize);
      const text = { tokenizer, maxTokens, spanProbability, spanRng, keyOf };
      rows.forEach((r, i) => {
        const k = shardOf(r);
        const row = r - starts[k]!;
        const { shard, tokens } = shards.load(k);
        const leads = shard.meta.leads;
        const length = shard.meta.windowLength;
        dequantiseRows(
          shard.codes.subarray(row * window, (row + 1) * window),
          shard.scales.subarray(row * leads, (row + 1) * leads),
          leads,
          length,
          ecg,
          i * window,
        );
        leadMask.set(shard.leadMasks.subarray(row * leads, (row + 1) * leads), i * leads);
        const key = shard.meta.reportKeys[row]!;
        fillReportRow(text, { tokenIds, tokenMask, pairKey }, i, key, tokens, row, pairKeys[k]![row]!);
      });
      return { ecg, leadMask, tokenIds, tokenMask, pairKey };
    },
  };
}
