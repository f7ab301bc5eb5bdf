import { Rng } from '@heartline/ecg';
import type { Example, ExampleSet } from './example-set.js';
import { packExamples } from './example-set.js';

/** An example's fields besides its window and lead mask. */
export type ExampleInfo = Omit<Example, 'window' | 'leadMask'>;

/**
 * Examples read one at a time, wherever they live: an in-memory {@link ExampleSet}
 * ({@link exampleSetReader}) or a shard cache on disk (`shardExampleReader`). Batch makers written
 * against it (the self-supervised stage's masked-modelling batches) serve both without holding the
 * whole archive in memory.
 */
export interface ExampleReader {
  readonly size: number;
  /** Record id of every example, in order (one short string each: fine in memory at any scale here). */
  readonly ids: readonly string[];
  /**
   * The order of one epoch, as example indices. Readers choose an order that is cheap for them: an
   * in-memory set shuffles freely; a shard cache shuffles within windows of shards so each shard is read
   * about once per epoch. `seed` names the stream (e.g. `ssl-batches:<run seed>`); `shuffle: false`
   * keeps the reader's order.
   */
  epochOrder(epoch: number, seed: string, shuffle: boolean): ArrayLike<number>;
  /**
   * Copies example `index`'s 12 × 1000 window into `ecg` at `ecgAt` and its 12 lead-mask bytes into
   * `leadMask` at `maskAt`, and returns its other fields.
   */
  read(index: number, ecg: Float32Array, ecgAt: number, leadMask: Uint8Array, maskAt: number): ExampleInfo;
}

const WINDOW = 12 * 1000;

/**
 * An {@link ExampleReader} over an in-memory set. Its epoch order is the set's indices shuffled with
 * `new Rng(`${seed}:${epoch}`)`, exactly what the in-memory batch makers have always drawn.
 */
export function exampleSetReader(set: ExampleSet): ExampleReader {
  return {
    size: set.size,
    ids: set.ids,
    epochOrder(epoch, seed, shuffle) {
      const order = [...Array(set.size).keys()];
      if (shuffle) new Rng(`${seed}:${epoch}`).shuffle(order);
      return order;
    },
    read(index, ecg, ecgAt, leadMask, maskAt) {
      ecg.set(set.windows.subarray(index * WINDOW, (index + 1) * WINDOW), ecgAt);
      leadMask.set(set.leadMasks.subarray(index * 12, (index + 1) * 12), maskAt);
      return {
        report: set.reports[index]!,
        reportKey: set.reportKeys[index]!,
        language: set.languages[index]!,
        labels: set.labels[index]!,
        fold: set.folds[index]!,
        source: set.sources[index]!,
        id: set.ids[index]!,
      };
    },
  };
}

/**
 * The examples at `indices` loaded into an {@link ExampleSet}, in the order given (ascending indices
 * read a shard cache's files one after another).
 */
export function readExamples(reader: ExampleReader, indices: readonly number[]): ExampleSet {
  const ecg = new Float32Array(WINDOW);
  const leadMask = new Uint8Array(12);
  return packExamples(
    indices.map((i) => {
      const info = reader.read(i, ecg, 0, leadMask, 0);
      return { ...info, window: ecg.slice(), leadMask: leadMask.slice() };
    }),
  );
}

/** At most `limit` indices of `0 … size − 1`, a seeded uniform sample, ascending. */
export function sampleIndices(size: number, limit: number, seed: string): number[] {
  const all = [...Array(size).keys()];
  if (size <= limit) return all;
  return new Rng(seed)
    .shuffle(all)
    .slice(0, limit)
    .sort((a, b) => a - b);
}
