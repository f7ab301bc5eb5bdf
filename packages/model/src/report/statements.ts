/**
 * Report statements: the findings a report lists. PTB-XL's reports (German or English, from
 * cardiologists or the interpretation program) are findings separated by commas and full stops
 * (`sinusrhythmus. linkstyp. st & t abnorm, wahrscheinlich anteriore ischämie`), so a statement is what
 * lies between two separators of the normalised report: the unit a draft is assembled from and a
 * clinician adds or removes.
 */
import { analyseReport } from '@heartline/ecg/data';

// Commas and semicolons always separate; a full stop only before a space or the end, so decimals
// (`qtc 0.48 s`) and abbreviations inside a finding (`li.schenkelblock`) stay whole.
const SEPARATOR = /\s*(?:[,;]|\.(?=\s|$))\s*/;

/** One statement as drafts and sign-offs compare them: normalised, whitespace collapsed, no end stop. */
export function normaliseStatement(statement: string): string {
  return analyseReport(statement)
    .text.replace(/[\s.,;]+$/, '')
    .trim();
}

/**
 * The distinct statements of one report, in the order it states them. The report is normalised as
 * training normalises it (boilerplate, the edit note and the "unconfirmed" flag removed), so a statement
 * never carries a label leak or a machine flag.
 */
export function splitStatements(report: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of analyseReport(report).text.split(SEPARATOR)) {
    const statement = part.trim();
    // A lone letter or digit is a cut-off fragment, not a finding.
    if (statement.length < 2 || seen.has(statement)) continue;
    seen.add(statement);
    out.push(statement);
  }
  return out;
}
