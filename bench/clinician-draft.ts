/**
 * Drafting a case the way the cloud does, over in-memory vectors instead of the database: the case's
 * shared ECG vector finds its nearest stored reports (cosine to their shared text vectors, in one
 * release's space), the zero-shot classes score it against their prompt vectors, and
 * `draftReport` (@heartline/model/report) assembles the draft from both. The clinician-loop benchmark
 * uses it to measure how much of the real report a draft already holds.
 */

import { type Draft, draftReport, normaliseStatement, splitStatements } from '@heartline/model/report';
import type { PromptLanguage } from '@heartline/model/text';
import { CLASS_PROMPTS } from '@heartline/model/text';
import { type AlignedEncoders, classEmbeddings } from '@heartline/trainer';

/** One stored report with its shared text vector in the current release's space. */
export interface StoredReport {
  readonly recordId: string;
  readonly text: string;
  readonly language: PromptLanguage;
  readonly codes: readonly string[];
}

/** Unit-length prompt vectors of `classes` (mean of the English and German phrases), as zero-shot scores them. */
export function classVectors(encoders: AlignedEncoders, classes: readonly string[]): Float32Array {
  return classEmbeddings(encoders, classes, CLASS_PROMPTS);
}

function dot(a: Float32Array, aRow: number, b: Float32Array, bRow: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[aRow * d + k]! * b[bRow * d + k]!;
  return s;
}

/** What one case's draft is made from. */
export interface DraftCaseInput {
  /** The release drafting (for the draft's provenance only). */
  readonly releaseId: string;
  /** The clinician's language. */
  readonly language: PromptLanguage;
  /** Shared ECG vectors, `cases × d`, and the row of this case. */
  readonly zCases: Float32Array;
  readonly row: number;
  /** Stored reports and their shared text vectors (`stored.length × d`). */
  readonly stored: readonly StoredReport[];
  readonly zStored: Float32Array;
  readonly classes: readonly string[];
  /** `classes.length × d`, from {@link classVectors}. */
  readonly zClasses: Float32Array;
  readonly thresholds: Readonly<Record<string, number | null>>;
  readonly d: number;
  /** Neighbours the draft is assembled from (the cloud's default: 10). */
  readonly k?: number;
}

/** The draft of one case: its `k` nearest stored reports and its class scores through `draftReport`. */
export function draftCase(input: DraftCaseInput): Draft {
  const { d, row, zCases, zStored, stored } = input;
  const scored = stored.map((_, i) => ({ i, score: dot(zCases, row, zStored, i, d) }));
  scored.sort((a, b) => b.score - a.score);
  const neighbours = scored.slice(0, input.k ?? 10).map(({ i, score }) => ({
    recordId: stored[i]!.recordId,
    text: stored[i]!.text,
    language: stored[i]!.language,
    codes: stored[i]!.codes,
    score,
  }));
  const classScores = input.classes.map((code, c) => ({
    code,
    similarity: dot(zCases, row, input.zClasses, c, d),
  }));
  return draftReport({
    language: input.language,
    releaseId: input.releaseId,
    neighbours,
    classScores,
    thresholds: input.thresholds,
    thresholdSource: Object.keys(input.thresholds).length > 0 ? 'evaluation-set' : 'none',
  });
}

/** Statement counts of a draft against the signed report (same splitter and normalisation for both). */
export interface StatementOverlap {
  /** Draft statements the signed report also states. */
  readonly matched: number;
  readonly drafted: number;
  /** Statements of the signed report. */
  readonly signed: number;
  /** Of `drafted` and `matched`: the statements that came from a class prompt (the rest are retrieved). */
  readonly promptDrafted: number;
  readonly promptMatched: number;
}

/** No statements: the start of a sum of {@link StatementOverlap}s. */
export const NO_OVERLAP: StatementOverlap = {
  matched: 0,
  drafted: 0,
  signed: 0,
  promptDrafted: 0,
  promptMatched: 0,
};

/** The sum of two overlaps. */
export function addOverlap(a: StatementOverlap, b: StatementOverlap): StatementOverlap {
  return {
    matched: a.matched + b.matched,
    drafted: a.drafted + b.drafted,
    signed: a.signed + b.signed,
    promptDrafted: a.promptDrafted + b.promptDrafted,
    promptMatched: a.promptMatched + b.promptMatched,
  };
}

/** How many of the draft's statements the signed report keeps, and how many of its statements the draft had. */
export function statementOverlap(draft: Draft, signedReport: string): StatementOverlap {
  const signed = new Set(splitStatements(signedReport).map(normaliseStatement));
  const drafted = new Map<string, boolean>();
  for (const s of draft.statements) {
    const text = normaliseStatement(s.text);
    const fromPrompt = s.sources.every((source) => source.kind === 'prompt');
    drafted.set(text, (drafted.get(text) ?? true) && fromPrompt);
  }
  let matched = 0;
  let promptDrafted = 0;
  let promptMatched = 0;
  for (const [text, fromPrompt] of drafted) {
    const hit = signed.has(text);
    if (hit) matched++;
    if (fromPrompt) {
      promptDrafted++;
      if (hit) promptMatched++;
    }
  }
  return { matched, drafted: drafted.size, signed: signed.size, promptDrafted, promptMatched };
}
