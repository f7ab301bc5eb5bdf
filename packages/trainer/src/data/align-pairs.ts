/**
 * Align-mode data: pairs of a stored ECG-specific embedding h_ecg (what a device computed with its
 * release's ECG encoder) and the report linked to it. The ECG encoder never runs on them.
 */

import { Rng } from '@heartline/ecg';
import { analyseReport, type ReportLanguage } from '@heartline/ecg/data';
import { InvalidArgumentError } from '@heartline/model/errors';
import type { AlignBatch } from '@heartline/model/nn';
import type { WordPieceTokenizer } from '@heartline/model/text';

/** One (h_ecg, report) pair. */
export interface AlignPair {
  /** h_ecg, `ecgDim` floats. */
  readonly h: Float32Array;
  /** The report as written (normalised here). */
  readonly report: string;
  /** Class codes of the report (SCP codes, superclasses…), for zero-shot figures; optional. */
  readonly codes?: readonly string[];
  /** Where the pair came from (e.g. `deviceId/seq`), for error messages. */
  readonly id?: string;
}

/** Pairs packed struct-of-arrays, reports normalised. */
export interface AlignPairSet {
  readonly size: number;
  readonly ecgDim: number;
  /** `size × ecgDim`. */
  readonly h: Float32Array;
  /** Normalised report texts: equal texts are not negatives of each other. */
  readonly reportKeys: readonly string[];
  readonly languages: readonly ReportLanguage[];
  readonly labels: readonly (readonly string[])[];
}

/** Packs pairs, checking every h has `ecgDim` finite floats and every report has text. */
export function packAlignPairs(pairs: readonly AlignPair[], ecgDim: number): AlignPairSet {
  const h = new Float32Array(pairs.length * ecgDim);
  const reportKeys: string[] = [];
  const languages: ReportLanguage[] = [];
  pairs.forEach((p, i) => {
    const name = p.id ?? `pair ${i}`;
    if (p.h.length !== ecgDim)
      throw new InvalidArgumentError(`h of ${name}`, `${p.h.length} floats`, `must have ecgDim = ${ecgDim}`);
    if (!p.h.every(Number.isFinite)) throw new InvalidArgumentError(`h of ${name}`, 'NaN', 'must be finite');
    const report = analyseReport(p.report);
    if (report.text.length === 0)
      throw new InvalidArgumentError(`report of ${name}`, p.report, 'must hold text');
    h.set(p.h, i * ecgDim);
    reportKeys.push(report.text);
    languages.push(report.language);
  });
  return {
    size: pairs.length,
    ecgDim,
    h,
    reportKeys,
    languages,
    labels: pairs.map((p) => p.codes ?? []),
  };
}

/** The pairs at `indices`, as a new set. */
export function subsetAlignPairs(set: AlignPairSet, indices: readonly number[]): AlignPairSet {
  const d = set.ecgDim;
  const h = new Float32Array(indices.length * d);
  indices.forEach((src, i) => {
    h.set(set.h.subarray(src * d, (src + 1) * d), i * d);
  });
  const pick = <T>(xs: readonly T[]) => indices.map((i) => xs[i]!);
  return {
    size: indices.length,
    ecgDim: d,
    h,
    reportKeys: pick(set.reportKeys),
    languages: pick(set.languages),
    labels: pick(set.labels),
  };
}

/**
 * A seeded split into training and held-out pairs: `fraction` of the pairs (at least `minHeldOut`) are
 * held out. The split is per pair, not per report text: device reports repeat (many say "normal ecg"),
 * and holding out a whole frequent text could starve training.
 */
export function splitAlignPairs(
  set: AlignPairSet,
  options: { fraction: number; minHeldOut: number; seed: number | string },
): { train: AlignPairSet; heldOut: AlignPairSet } {
  const order = [...Array(set.size).keys()];
  new Rng(`align-split:${String(options.seed)}`).shuffle(order);
  const wanted = Math.min(set.size, Math.max(options.minHeldOut, Math.round(set.size * options.fraction)));
  const heldOut = order.slice(0, wanted).sort((a, b) => a - b);
  const train = order.slice(wanted).sort((a, b) => a - b);
  return { train: subsetAlignPairs(set, train), heldOut: subsetAlignPairs(set, heldOut) };
}

/** Align batches drawn from a pair set: shuffled per epoch, reports tokenised once. */
export interface AlignBatchSource {
  readonly batchSize: number;
  /** Whole batches per epoch (the last partial batch is dropped: InfoNCE wants full batches). */
  readonly batchesPerEpoch: number;
  /** Batch `index` of `epoch`; the same (epoch, index) always gives the same batch. */
  batch(epoch: number, index: number): AlignBatch;
}

/** Like `createBatchSource` for pretraining, over stored embeddings instead of windows. */
export function createAlignBatchSource(
  set: AlignPairSet,
  tokenizer: WordPieceTokenizer,
  options: { batchSize: number; maxTokens: number; seed: number | string; shuffle?: boolean },
): AlignBatchSource {
  const { batchSize, maxTokens } = options;
  const d = set.ecgDim;
  if (set.size < batchSize)
    throw new RangeError(`batch size ${batchSize} is larger than the ${set.size} pairs available`);
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
  let cached: { epoch: number; order: number[] } | undefined;
  const orderOf = (epoch: number) => {
    if (cached?.epoch !== epoch) {
      const order = [...Array(set.size).keys()];
      if (options.shuffle !== false) new Rng(`align-batches:${String(options.seed)}:${epoch}`).shuffle(order);
      cached = { epoch, order };
    }
    return cached.order;
  };
  return {
    batchSize,
    batchesPerEpoch: Math.floor(set.size / batchSize),
    batch(epoch, index) {
      const rows = orderOf(epoch).slice(index * batchSize, (index + 1) * batchSize);
      const hEcg = new Float32Array(batchSize * d);
      const tokenIds = new Int32Array(batchSize * maxTokens);
      const tokenMask = new Uint8Array(batchSize * maxTokens);
      const pairKey = new Int32Array(batchSize);
      rows.forEach((r, i) => {
        hEcg.set(set.h.subarray(r * d, (r + 1) * d), i * d);
        tokenIds.set(encoded.ids.subarray(r * maxTokens, (r + 1) * maxTokens), i * maxTokens);
        tokenMask.set(encoded.mask.subarray(r * maxTokens, (r + 1) * maxTokens), i * maxTokens);
        pairKey[i] = pairKeys[r]!;
      });
      return { hEcg, tokenIds, tokenMask, pairKey };
    },
  };
}
