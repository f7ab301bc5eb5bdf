import { cosineSimilarityMatrix, denseMatrix, recallAtK } from '@heartline/model/metrics';

/** Recall@1/5/10 of one retrieval direction. */
export interface RecallFigures {
  readonly r1: number;
  readonly r5: number;
  readonly r10: number;
  readonly queries: number;
}

/** ECG→report and report→ECG recall over one set of pairs, overall and per report language. */
export interface RetrievalReport {
  readonly reportToEcg: RecallFigures;
  readonly ecgToReport: RecallFigures;
  /** report→ECG with queries of one language only (the gallery is every ECG). */
  readonly reportToEcgByLanguage: Readonly<Record<string, RecallFigures>>;
}

function figures(r: ReturnType<typeof recallAtK>): RecallFigures {
  return {
    r1: r.recall['r1'] ?? Number.NaN,
    r5: r.recall['r5'] ?? Number.NaN,
    r10: r.recall['r10'] ?? Number.NaN,
    queries: r.queries,
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
 * reports of different patients do not count as misses.
 */
export function retrieval(
  zEcg: Float32Array,
  zText: Float32Array,
  sharedDim: number,
  reportKeys: readonly string[],
  languages: readonly string[],
): RetrievalReport {
  const n = reportKeys.length;
  const sameText = (a: number, b: number) => a === b || reportKeys[a] === reportKeys[b];
  const ecgToReport = recallAtK(cosineSimilarityMatrix(zEcg, zText, sharedDim), sameText);
  const reportToEcgSim = cosineSimilarityMatrix(zText, zEcg, sharedDim);
  const reportToEcg = recallAtK(reportToEcgSim, sameText);
  const byLanguage: Record<string, RecallFigures> = {};
  for (const language of [...new Set(languages)].sort()) {
    const rows = [...Array(n).keys()].filter((i) => languages[i] === language);
    if (rows.length === 0) continue;
    const sim = cosineSimilarityMatrix(selectRows(zText, sharedDim, rows), zEcg, sharedDim);
    byLanguage[language] = figures(
      recallAtK(denseMatrix(sim.data, rows.length, n), (q, item) => sameText(rows[q]!, item)),
    );
  }
  return {
    reportToEcg: figures(reportToEcg),
    ecgToReport: figures(ecgToReport),
    reportToEcgByLanguage: byLanguage,
  };
}
