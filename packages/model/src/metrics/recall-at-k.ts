import { InvalidArgumentError } from '../errors.js';
import type { DenseMatrix } from './matrix.js';

/** Which gallery items count as correct for a query: a predicate, or one set of item indices per query. */
export type Relevance = ((query: number, item: number) => boolean) | readonly ReadonlySet<number>[];

/** Recall@k per k (`r1`, `r5`, …) plus how many queries were scored. */
export interface RecallAtK {
  /** Fraction of scored queries with a relevant item among their top k, keyed `r${k}`. */
  readonly recall: Readonly<Record<string, number>>;
  /** Queries scored (those with at least one relevant item). */
  readonly queries: number;
  /** Queries left out because no gallery item is relevant to them. */
  readonly skipped: number;
}

/**
 * Per query of a Q × N similarity matrix (query rows, gallery columns): how many irrelevant items score at
 * least as high as its best relevant one (so the query is a hit at k when this is below k), or -1 when no
 * item is relevant to it. Ties count pessimistically, as in {@link recallAtK}. O(Q·N), no sorting.
 */
export function relevantRanks(similarity: DenseMatrix, relevant: Relevance): Int32Array {
  if (typeof relevant !== 'function' && relevant.length !== similarity.rows) {
    throw new InvalidArgumentError(
      'relevant.length',
      relevant.length,
      `expected one set per query (${similarity.rows})`,
    );
  }
  const isRelevant =
    typeof relevant === 'function' ? relevant : (q: number, n: number) => relevant[q]!.has(n);
  const ranks = new Int32Array(similarity.rows);
  const flags = new Uint8Array(similarity.cols);
  const { data, cols } = similarity;
  for (let q = 0; q < similarity.rows; q++) {
    const base = q * cols;
    let best = Number.NEGATIVE_INFINITY;
    let any = false;
    for (let n = 0; n < cols; n++) {
      const s = data[base + n]!;
      if (Number.isNaN(s))
        throw new InvalidArgumentError(`similarity[${q}][${n}]`, 'NaN', 'expected a number');
      const rel = isRelevant(q, n);
      flags[n] = rel ? 1 : 0;
      if (rel) {
        any = true;
        if (s > best) best = s;
      }
    }
    if (!any) {
      ranks[q] = -1;
      continue;
    }
    let above = 0;
    for (let n = 0; n < cols; n++) if (flags[n] === 0 && data[base + n]! >= best) above++;
    ranks[q] = above;
  }
  return ranks;
}

/**
 * Retrieval Recall@k over a Q × N similarity matrix (query rows, gallery columns): a query is a hit at k
 * when a relevant item is among its k most similar. The caller defines relevance (for ECG↔report
 * retrieval: the pair's own report, or any report with the same normalised text). Ties are counted
 * pessimistically: every irrelevant item scoring at least as high as the best relevant one ranks above
 * it, so a collapsed encoder (all similarities equal) scores chance, not 1. O(Q·N), no sorting.
 */
export function recallAtK(
  similarity: DenseMatrix,
  relevant: Relevance,
  ks: readonly number[] = [1, 5, 10],
): RecallAtK {
  checkKs(ks);
  const ranks = relevantRanks(similarity, relevant);
  const hits = new Float64Array(ks.length);
  let queries = 0;
  let skipped = 0;
  for (const above of ranks) {
    if (above < 0) {
      skipped++;
      continue;
    }
    queries++;
    ks.forEach((k, j) => {
      if (above < k) hits[j]! += 1;
    });
  }
  const recall: Record<string, number> = {};
  ks.forEach((k, j) => {
    recall[`r${k}`] = queries === 0 ? Number.NaN : hits[j]! / queries;
  });
  return { recall, queries, skipped };
}

/** Throws unless every k is an integer ≥ 1. */
export function checkKs(ks: readonly number[]): void {
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError('k', k, 'expected an integer ≥ 1');
  }
}
