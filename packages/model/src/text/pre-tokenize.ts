import { normaliseReportText } from '@heartline/ecg/data';

// A word is a run of letters, combining marks and digits ("v2", "avf", "4"); every other non-space
// character (punctuation, symbols: "-", "/", ".", "(") is a word of its own, as in BERT's basic tokenizer.
const WORD = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}\p{Cc}\p{Cf}]/gu;

/**
 * Splits a report into the words WordPiece works on: normalises it with `normaliseReportText` (lower
 * case, PTB-XL's `verlÄngerung` → `verlängerung`, `ß` → `ss`, double-encoded UTF-8 repaired), then splits on
 * whitespace and punctuation. Digits stay inside their alphanumeric run so lead names (`v2`, `avf`) and
 * the numbers of a report survive whole. Control and format characters are dropped.
 */
export function preTokenize(text: string): string[] {
  return normaliseReportText(text).match(WORD) ?? [];
}
