import {
  type BootstrapInterval,
  type BootstrapOptions,
  cosineSimilarityMatrix,
  type DenseMatrix,
  denseMatrix,
  type Relevance,
  recallIntervalsFromRanks,
  relevantRanks,
} from '@heartline/model/metrics';

/** Recall@1/5/10 of one retrieval direction, each with its bootstrap interval (queries resampled). */
export interface RecallFigures {
  readonly r1: number;
  readonly r5: number;
  readonly r10: number;
  readonly r1Ci: BootstrapInterval;
  readonly r5Ci: BootstrapInterval;
  readonly r10Ci: BootstrapInterval;
  readonly queries: number;
}

/** ECG→report and report→ECG recall over one set of pairs, overall and per report language. */
export interface RetrievalReport {
  readonly reportToEcg: RecallFigures;
  readonly ecgToReport: RecallFigures;
  /** report→ECG with queries of one language only (the gallery is every ECG). */
  readonly reportToEcgByLanguage: Readonly<Record<string, RecallFigures>>;
}

/**
 * Recall@1/5/10 and their intervals from one ranking pass. The bootstrap resamples the queries; the
 * gallery stays every ECG (or every report), so a resample is as hard a task as the figure's own.
 */
function figures(similarity: DenseMatrix, relevant: Relevance, bootstrap: BootstrapOptions): RecallFigures {
  const ranks = relevantRanks(similarity, relevant);
  const ci = recallIntervalsFromRanks(ranks, [1, 5, 10], bootstrap);
  return {
    r1: ci['r1']!.value,
    r5: ci['r5']!.value,
    r10: ci['r10']!.value,
    r1Ci: ci['r1']!,
    r5Ci: ci['r5']!,
    r10Ci: ci['r10']!,
    queries: ranks.filter((r) => r >= 0).length,
  };
}

/** Rows `rows` of a row-major n × d array. */
function selectRows(m: Float32Array, d: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    out.set(m.subarray(r * d, (r + 1) * d), i * d);
  });
  return out;
}

/**
 * Pairwise retrieval over n (ECG, report) pairs in the shared space. A retrieved item counts as correct
 * when it is the pair's own or carries the same normalised report text (`reportKeys`), so identical
 * reports of different patients do not count as misses. Every figure carries a percentile-bootstrap
 * interval (`bootstrap`: draws, seed, level) over its queries.
 */
export function retrieval(
  zEcg: Float32Array,
  zText: Float32Array,
  sharedDim: number,
  reportKeys: readonly string[],
  languages: readonly string[],
  bootstrap: BootstrapOptions = {},
): RetrievalReport {
  const n = reportKeys.length;
  const sameText = (a: number, b: number) => a === b || reportKeys[a] === reportKeys[b];
  const ecgToReport = figures(cosineSimilarityMatrix(zEcg, zText, sharedDim), sameText, bootstrap);
  const reportToEcg = figures(cosineSimilarityMatrix(zText, zEcg, sharedDim), sameText, bootstrap);
  const byLanguage: Record<string, RecallFigures> = {};
  for (const language of [...new Set(languages)].sort()) {
    const rows = [...Array(n).keys()].filter((i) => languages[i] === language);
    if (rows.length === 0) continue;
    const sim = cosineSimilarityMatrix(selectRows(zText, sharedDim, rows), zEcg, sharedDim);
    byLanguage[language] = figures(
      denseMatrix(sim.data, rows.length, n),
      (q, item) => sameText(rows[q]!, item),
      bootstrap,
    );
  }
  return { reportToEcg, ecgToReport, reportToEcgByLanguage: byLanguage };
}
