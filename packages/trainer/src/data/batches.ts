import { Rng } from '@heartline/ecg';
import type { PretrainBatch } from '@heartline/model/nn';
import { preTokenize, type WordPieceTokenizer } from '@heartline/model/text';
import type { ExampleSet } from './example-set.js';

/** Options of {@link createBatchSource}. */
export interface BatchSourceOptions {
  readonly batchSize: number;
  readonly maxTokens: number;
  readonly seed: number | string;
  /** Shuffle each epoch (default true; validation batches keep the set's order). */
  readonly shuffle?: boolean;
  /**
   * Probability (0–1, default 0) that an example's report is replaced, for that batch, by a random
   * contiguous span of its words (see {@link reportSpan}). Zero-shot prompts are single statements
   * ("inferiorer infarkt"), while training reports list several; without short texts in training the text
   * encoder maps every short phrase to one region near the short reports ("atrial fibrillation") and
   * zero-shot scores follow report length rather than content.
   */
  readonly spanProbability?: number;
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** Longest span {@link reportSpan} cuts, in words. */
export const MAX_SPAN_WORDS = 6;

/**
 * A contiguous span of 1–{@link MAX_SPAN_WORDS} words of a normalised report (words as `preTokenize`
 * splits them; it starts at a word, and punctuation at its end is dropped), chosen with `rng`; the whole
 * text when it has one word or none. Joined by spaces, which tokenises like the original words.
 */
export function reportSpan(text: string, rng: Rng): string {
  const words = preTokenize(text);
  const starts = words.flatMap((w, k) => (WORD_CHARACTER.test(w) ? [k] : []));
  if (words.length <= 1 || starts.length === 0) return text;
  const start = starts[rng.int(0, starts.length - 1)]!;
  const length = rng.int(1, Math.min(MAX_SPAN_WORDS, words.length - start));
  const span = words.slice(start, start + length);
  while (!WORD_CHARACTER.test(span[span.length - 1]!)) span.pop();
  return span.join(' ');
}

/** Checks a batch source's options against `size` examples; returns the span probability (default 0). */
export function checkedSpanProbability(options: BatchSourceOptions, size: number): number {
  const spanProbability = options.spanProbability ?? 0;
  if (!(spanProbability >= 0 && spanProbability <= 1)) {
    throw new RangeError(`spanProbability must be in [0, 1], got ${spanProbability}`);
  }
  if (size < options.batchSize) {
    throw new RangeError(`batch size ${options.batchSize} is larger than the ${size} examples available`);
  }
  return spanProbability;
}

/** Numbers distinct normalised report texts in the order first seen: equal texts share a pair key. */
export function reportKeyNumbering(): (key: string) => number {
  const keyIds = new Map<string, number>();
  return (k) => {
    let id = keyIds.get(k);
    if (id === undefined) {
      id = keyIds.size;
      keyIds.set(k, id);
    }
    return id;
  };
}

/** How a batch's report rows are made: the tokenizer, the span augmentation and the key numbering. */
export interface ReportRowContext {
  readonly tokenizer: WordPieceTokenizer;
  readonly maxTokens: number;
  readonly spanProbability: number;
  /** The batch's span stream (absent when spans are off). */
  readonly spanRng: Rng | undefined;
  readonly keyOf: (key: string) => number;
}

/**
 * Fills row `i` of a batch's text arrays with an example's report: with the span probability a random
 * span of its words (tokenised now, keyed by its text), else its tokens as encoded up front (row
 * `encodedRow` of `encoded`) and its pair key.
 */
export function fillReportRow(
  c: ReportRowContext,
  out: { tokenIds: Int32Array; tokenMask: Uint8Array; pairKey: Int32Array },
  i: number,
  key: string,
  encoded: { readonly ids: Int32Array; readonly mask: Uint8Array },
  encodedRow: number,
  pairKey: number,
): void {
  const { maxTokens } = c;
  if (c.spanRng?.chance(c.spanProbability)) {
    const span = reportSpan(key, c.spanRng);
    const one = c.tokenizer.encode(span, maxTokens);
    out.tokenIds.set(one.ids, i * maxTokens);
    out.tokenMask.set(one.mask, i * maxTokens);
    out.pairKey[i] = c.keyOf(span);
    return;
  }
  out.tokenIds.set(encoded.ids.subarray(encodedRow * maxTokens, (encodedRow + 1) * maxTokens), i * maxTokens);
  out.tokenMask.set(
    encoded.mask.subarray(encodedRow * maxTokens, (encodedRow + 1) * maxTokens),
    i * maxTokens,
  );
  out.pairKey[i] = pairKey;
}

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
 * reports are never negatives of each other, and serves seeded, per-epoch shuffled batches. With
 * `spanProbability` some reports are replaced by a seeded span of their words (the same for the same
 * epoch and index); equal texts, spans included, are never negatives of each other.
 */
export function createBatchSource(
  set: ExampleSet,
  tokenizer: WordPieceTokenizer,
  options: BatchSourceOptions,
): BatchSource {
  const { batchSize, maxTokens } = options;
  const spanProbability = checkedSpanProbability(options, set.size);
  const encoded = tokenizer.encodeBatch(set.reportKeys, maxTokens);
  const keyOf = reportKeyNumbering();
  const pairKeys = Int32Array.from(set.reportKeys, keyOf);
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
      const spanRng =
        spanProbability > 0 ? new Rng(`spans:${String(options.seed)}:${epoch}:${index}`) : undefined;
      const ecg = new Float32Array(batchSize * WINDOW);
      const leadMask = new Uint8Array(batchSize * 12);
      const tokenIds = new Int32Array(batchSize * maxTokens);
      const tokenMask = new Uint8Array(batchSize * maxTokens);
      const pairKey = new Int32Array(batchSize);
      const text = { tokenizer, maxTokens, spanProbability, spanRng, keyOf };
      rows.forEach((r, i) => {
        ecg.set(set.windows.subarray(r * WINDOW, (r + 1) * WINDOW), i * WINDOW);
        leadMask.set(set.leadMasks.subarray(r * 12, (r + 1) * 12), i * 12);
        fillReportRow(
          text,
          { tokenIds, tokenMask, pairKey },
          i,
          set.reportKeys[r]!,
          encoded,
          r,
          pairKeys[r]!,
        );
      });
      return { ecg, leadMask, tokenIds, tokenMask, pairKey };
    },
  };
}
