/**
 * How far a signed report is from its draft: one edit per statement removed or added and per code
 * unticked or ticked. Statements compare normalised, so a change of case or spacing is no edit; order
 * is no edit either (a report's findings are a set). 0 means the clinician accepted the draft as it was.
 */
import { normaliseStatement } from './statements.js';

/** The parts of a report the edit distance compares. */
export interface ReportContent {
  readonly statements: readonly string[];
  readonly codes: readonly string[];
}

function symmetricDifference(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const x of a) if (!b.has(x)) n += 1;
  for (const x of b) if (!a.has(x)) n += 1;
  return n;
}

/** Statements removed + added + codes unticked + ticked between a draft and the signed report. */
export function signOffEditDistance(draft: ReportContent, signed: ReportContent): number {
  const statements = (r: ReportContent) => new Set(r.statements.map(normaliseStatement).filter(Boolean));
  return (
    symmetricDifference(statements(draft), statements(signed)) +
    symmetricDifference(new Set(draft.codes), new Set(signed.codes))
  );
}
