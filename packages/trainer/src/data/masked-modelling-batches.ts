import { Rng } from '@heartline/ecg';
import { cyclicPatchMask } from '@heartline/model/losses';
import { type CgDmerConfig, type PretrainBatch, patchesPerLead } from '@heartline/model/nn';
import type { WordPieceTokenizer } from '@heartline/model/text';
import type { BatchSource } from './batches.js';
import { type ExampleReader, exampleSetReader } from './example-reader.js';
import type { ExampleSet } from './example-set.js';

/** Options of {@link createMaskedModellingBatches}. */
export interface MaskedModellingOptions {
  readonly batchSize: number;
  readonly seed: number | string;
  /** Shuffle each epoch (default true). */
  readonly shuffle?: boolean;
}

const WINDOW = 12 * 1000;

/**
 * Batches of the self-supervised stage: ECG windows only (reports, if any, are not used: every row gets
 * the empty text and its own pair key, and the stage trains ST-MM alone), each carrying its patch mask.
 * A window's mask follows {@link cyclicPatchMask} with its turn = the epoch plus a fixed offset of the
 * window, so across epochs every usable lead of every window is reconstructed over every time span.
 * `examples` is an in-memory set or any {@link ExampleReader} (a shard cache): the epoch order is the
 * reader's (for a set, the same shuffle as always), so a cache is read about one shard window at a time.
 */
export function createMaskedModellingBatches(
  examples: ExampleSet | ExampleReader,
  tokenizer: WordPieceTokenizer,
  config: CgDmerConfig,
  options: MaskedModellingOptions,
): BatchSource {
  const { batchSize } = options;
  const set = 'windows' in examples ? exampleSetReader(examples) : examples;
  if (set.size < batchSize)
    throw new RangeError(`batch size ${batchSize} is larger than the ${set.size} examples available`);
  const empty = tokenizer.encode('', config.maxTokens);
  const offsets = Int32Array.from({ length: set.size }, (_, i) =>
    new Rng(`turn:${set.ids[i]}`).int(0, 1 << 20),
  );
  let cached: { epoch: number; order: ArrayLike<number> } | undefined;
  const orderOf = (epoch: number) => {
    if (cached?.epoch !== epoch) {
      const order = set.epochOrder(epoch, `ssl-batches:${String(options.seed)}`, options.shuffle !== false);
      cached = { epoch, order };
    }
    return cached.order;
  };
  const patches = patchesPerLead(config);
  return {
    batchSize,
    batchesPerEpoch: Math.floor(set.size / batchSize),
    batch(epoch, index): PretrainBatch {
      const rows = Array.prototype.slice.call(
        orderOf(epoch),
        index * batchSize,
        (index + 1) * batchSize,
      ) as number[];
      const ecg = new Float32Array(batchSize * WINDOW);
      const leadMask = new Uint8Array(batchSize * 12);
      const tokenIds = new Int32Array(batchSize * config.maxTokens);
      const tokenMask = new Uint8Array(batchSize * config.maxTokens);
      const turns = new Int32Array(batchSize);
      rows.forEach((r, i) => {
        set.read(r, ecg, i * WINDOW, leadMask, i * 12);
        tokenIds.set(empty.ids, i * config.maxTokens);
        tokenMask.set(empty.mask, i * config.maxTokens);
        turns[i] = epoch + offsets[r]!;
      });
      const patchMask = cyclicPatchMask({
        batch: batchSize,
        leads: config.leads,
        patches,
        leadRatio: config.leadMaskRatio,
        timeRatio: config.timeMaskRatio,
        leadMask,
        turns,
      });
      return { ecg, leadMask, tokenIds, tokenMask, pairKey: Int32Array.from(rows.keys()), patchMask };
    },
  };
}
