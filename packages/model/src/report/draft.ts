/**
 * A draft report for one case, assembled only from what is stored: the statements of the case's nearest
 * reports (retrieval-augmented) and the class prompts of the zero-shot classes whose score passes the
 * release's calibrated threshold. Nothing is generated: every statement is a statement of a stored
 * report or a class prompt phrase, and carries where it came from, so a clinician can check each one.
 *
 * Statements are chosen by score-weighted support: each neighbouring report in the clinician's language
 * votes with its similarity to the case, and a statement is kept when the reports stating it hold at
 * least {@link DraftOptions.minSupport} of the vote. Codes come from the zero-shot classes above their
 * thresholds, and from the neighbours' codes with the same support rule.
 */
import { detectReportLanguage, scpForSnomed, snomedForScp } from '@heartline/ecg/data';
import { CLASS_PROMPTS, type PromptLanguage } from '../text/class-prompts.js';
import { splitStatements } from './statements.js';

/** One stored report near the case, as the cloud found it. */
export interface DraftNeighbour {
  /** The clinical record's id. */
  readonly recordId: string;
  /** The case (`deviceId/seq`) the record is linked to, when there is one. */
  readonly caseRef?: string | undefined;
  /** The report as stored. */
  readonly text: string;
  /** The stored language, when known; else detected from the text. */
  readonly language?: string | null | undefined;
  /** The record's codes (SCP-ECG, or SNOMED CT mapped through the table). */
  readonly codes: readonly string[];
  /** Cosine similarity of the report to the case in the release's shared space. */
  readonly score: number;
}

/** One zero-shot class score of the case: the cosine to the class's prompt vector. */
export interface DraftClassScore {
  readonly code: string;
  readonly similarity: number;
}

/** Where the F1 thresholds came from: the release's calibration split, its evaluated set, or none stored. */
export type ThresholdSource = 'calibration' | 'evaluation-set' | 'none';

/** What a draft is made from. */
export interface DraftInput {
  /** The clinician's language. */
  readonly language: PromptLanguage;
  /** The release whose shared space found the neighbours and scored the classes. */
  readonly releaseId: string;
  readonly neighbours: readonly DraftNeighbour[];
  readonly classScores: readonly DraftClassScore[];
  /** Per-class cosine thresholds; a class without a finite one never becomes a zero-shot code. */
  readonly thresholds: Readonly<Record<string, number | null>>;
  readonly thresholdSource: ThresholdSource;
}

/** Options of {@link draftReport}. */
export interface DraftOptions {
  /** Least share of the neighbours' similarity weight a statement or code needs (0–1; default 0.3). */
  readonly minSupport?: number;
  /** Most retrieved statements a draft lists (default 12); class prompts' statements come on top. */
  readonly maxStatements?: number;
}

/** Where a draft statement came from. */
export type DraftSource =
  | { readonly kind: 'report'; readonly recordId: string; readonly caseRef?: string; readonly score: number }
  | { readonly kind: 'prompt'; readonly code: string };

/** One statement of a draft. */
export interface DraftStatement {
  /** Normalised statement text (lower case, as the stored reports have it after normalisation). */
  readonly text: string;
  /** Share of the neighbours' similarity weight behind it (1 for a class prompt's statement). */
  readonly support: number;
  readonly sources: readonly DraftSource[];
}

/** One code of a draft. */
export interface DraftCode {
  /** The SCP-ECG code (or PTB-XL superclass). */
  readonly scp: string;
  /** The SNOMED CT equivalent, null where the table has none. */
  readonly snomed: string | null;
  /** The class's name in the clinician's language (its first prompt phrase), else the SNOMED name. */
  readonly display: string;
  /** The zero-shot cosine, or the retrieval support. */
  readonly score: number;
  /** What `score` had to reach: the calibrated cosine threshold, or the least support. */
  readonly threshold: number;
  readonly source: 'zero-shot' | 'retrieval';
}

/** A draft report. */
export interface Draft {
  readonly language: PromptLanguage;
  readonly releaseId: string;
  readonly thresholdSource: ThresholdSource;
  readonly statements: readonly DraftStatement[];
  readonly codes: readonly DraftCode[];
}

function languageOf(n: DraftNeighbour): string {
  return n.language === 'de' || n.language === 'en' ? n.language : detectReportLanguage(n.text);
}

function displayOf(code: string, language: PromptLanguage): string {
  return CLASS_PROMPTS[code]?.[language][0] ?? snomedForScp(code)?.display ?? code;
}

function codeEntry(
  scp: string,
  language: PromptLanguage,
  score: number,
  threshold: number,
  source: DraftCode['source'],
): DraftCode {
  return {
    scp,
    snomed: snomedForScp(scp)?.code ?? null,
    display: displayOf(scp, language),
    score,
    threshold,
    source,
  };
}

/** Assembles the draft report of one case; pure and deterministic (ties keep the neighbours' order). */
export function draftReport(input: DraftInput, options: DraftOptions = {}): Draft {
  const minSupport = options.minSupport ?? 0.3;
  const maxStatements = options.maxStatements ?? 12;
  if (!(minSupport >= 0 && minSupport <= 1)) throw new RangeError(`minSupport is 0–1, got ${minSupport}`);
  if (!(Number.isInteger(maxStatements) && maxStatements >= 0))
    throw new RangeError(`maxStatements is a whole number ≥ 0, got ${maxStatements}`);
  const { language } = input;
  const sameLanguage = input.neighbours.filter((n) => languageOf(n) === language);
  // Dissimilar reports (cosine ≤ 0) get no vote.
  const weight = (n: DraftNeighbour) => (Number.isFinite(n.score) ? Math.max(0, n.score) : 0);
  const total = sameLanguage.reduce((sum, n) => sum + weight(n), 0);

  const byText = new Map<string, { support: number; first: number; sources: DraftSource[] }>();
  let order = 0;
  for (const n of sameLanguage) {
    for (const text of splitStatements(n.text)) {
      const entry = byText.get(text) ?? { support: 0, first: order++, sources: [] };
      entry.support += total > 0 ? weight(n) / total : 0;
      entry.sources.push({
        kind: 'report',
        recordId: n.recordId,
        ...(n.caseRef !== undefined ? { caseRef: n.caseRef } : {}),
        score: n.score,
      });
      byText.set(text, entry);
    }
  }
  const statements: DraftStatement[] = [...byText.entries()]
    .filter(([, e]) => total > 0 && e.support >= minSupport - 1e-12)
    .sort((a, b) => b[1].support - a[1].support || a[1].first - b[1].first)
    .map(([text, e]) => ({ text, support: e.support, sources: e.sources }))
    .slice(0, maxStatements);

  const codes: DraftCode[] = [];
  for (const { code, similarity } of input.classScores) {
    const threshold = input.thresholds[code];
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || !(similarity >= threshold)) continue;
    codes.push(codeEntry(code, language, similarity, threshold, 'zero-shot'));
    // The class's own words, unless a retrieved statement already says one of them.
    const phrases = CLASS_PROMPTS[code]?.[language] ?? [];
    if (phrases.length > 0 && !statements.some((s) => phrases.includes(s.text))) {
      statements.push({ text: phrases[0]!, support: 1, sources: [{ kind: 'prompt', code }] });
    }
  }
  // Codes of the neighbours (any language: codes are language-free), by the same weighted support.
  const allTotal = input.neighbours.reduce((sum, n) => sum + weight(n), 0);
  const codeSupport = new Map<string, number>();
  for (const n of input.neighbours) {
    const own = new Set(n.codes.map((c) => scpForSnomed(c) ?? c));
    for (const c of own)
      codeSupport.set(c, (codeSupport.get(c) ?? 0) + (allTotal > 0 ? weight(n) / allTotal : 0));
  }
  for (const [scp, support] of [...codeSupport.entries()].sort((a, b) => b[1] - a[1])) {
    if (allTotal === 0 || support < minSupport - 1e-12 || codes.some((c) => c.scp === scp)) continue;
    codes.push(codeEntry(scp, language, support, minSupport, 'retrieval'));
  }
  return {
    language,
    releaseId: input.releaseId,
    thresholdSource: input.thresholdSource,
    statements,
    codes,
  };
}
