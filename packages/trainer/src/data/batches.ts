import type { PretrainBatch } from '@heartline/model/nn';
import { Rng } from '@heartline/model/synth';
import type { WordPieceTokenizer } from '@heartline/model/text';
import type { ExampleSet } from './example-set.js';

/** Pretraining batches drawn from an example set: shuffled per epoch, reports tokenised once. */
export interface BatchSource {
  readonly batchSize: number;
  /** Whole batches per epoch (the last partial batch is dropped: InfoNCE wants full batches). */
  readonly batchesPerEpoch: number;
  /** Batch `index` of `epoch`; the same (epoch, index) always gives the same batch. */
  batch(epoch: number, index: number): PretrainBatch;
}

const WINDOW = 12 * 1000;

/**
 * Tokenises every report once (to `maxTokens`), numbers distinct normalised report texts so that equal
 * reports are never negatives of each other, and serves seeded, per-epoch shuffled batches.
 */
export function createBatchSource(
  set: ExampleSet,
  tokenizer: WordPieceTokenizer,
  options: { batchSize: number; maxTokens: number; seed: number | string; shuffle?: boolean },
): BatchSource {
  const { batchSize, maxTokens } = options;
  if (set.size < batchSize) {
    throw new RangeError(`batch size ${batchSize} is larger than the ${set.size} examples available`);
  }
  const encoded = tokenizer.encodeBatch(set.reportKeys, maxTokens);
  const keyIds = new Map<string, number>();
  const pairKeys = Int32Array.from(set.reportKeys, (k) => {
    let id = keyIds.get(k);
    if (id === undefined) {
      id = keyIds.size;
      keyIds.set(k, id);
    }
    return id;
  });
  const orders = new Map<number, number[]>();
  const orderOf = (epoch: number) => {
    let order = orders.get(epoch);
    if (!order) {
      order = [...Array(set.size).keys()];
      if (options.shuffle !== false) new Rng(`batches:${String(options.seed)}:${epoch}`).shuffle(order);
      orders.clear(); // only the current epoch is kept
      orders.set(epoch, order);
    }
    return order;
  };
  return {
    batchSize,
    batchesPerEpoch: Math.floor(set.size / batchSize),
    batch(epoch, index) {
      const rows = orderOf(epoch).slice(index * batchSize, (index + 1) * batchSize);
      const ecg = new Float32Array(batchSize * WINDOW);
      const leadMask = new Uint8Array(batchSize * 12);
      const tokenIds = new Int32Array(batchSize * maxTokens);
      const tokenMask = new Uint8Array(batchSize * maxTokens);
      const pairKey = new Int32Array(batchSize);
      rows.forEach((r, i) => {
        ecg.set(set.windows.subarray(r * WINDOW, (r + 1) * WINDOW), i * WINDOW);
        leadMask.set(set.leadMasks.subarray(r * 12, (r + 1) * 12), i * 12);
        tokenIds.set(encoded.ids.subarray(r * maxTokens, (r + 1) * maxTokens), i * maxTokens);
        tokenMask.set(encoded.mask.subarray(r * maxTokens, (r + 1) * maxTokens), i * maxTokens);
        pairKey[i] = pairKeys[r]!;
      });
      return { ecg, leadMask, tokenIds, tokenMask, pairKey };
    },
  };
}
