import type { Rng } from '../util/rng.js';
import { germanReport } from './report-de.js';
import { englishReport } from './report-en.js';
import type { ReportInput } from './report-phrases.js';

export type { ReportInput } from './report-phrases.js';

/** Report languages, as in PTB-XL (German about 60 %, English the rest). */
export type ReportLanguage = 'de' | 'en';

/**
 * Writes a free-text report for the labels from a phrase grammar (varied wording, abbreviations and order),
 * optionally followed by a PTB-XL-style "Edit:" line listing the codes with their likelihoods.
 */
export function writeReport(input: ReportInput & { readonly language: ReportLanguage }, rng: Rng): string {
  const text = input.language === 'de' ? germanReport(input, rng) : englishReport(input, rng);
  if (!rng.chance(0.03)) return text;
  const coded = input.codes
    .filter((c) => (input.likelihoods?.[c] ?? 100) > 0)
    .map((c) => `${c} ${input.likelihoods?.[c] ?? 100}`)
    .join(', ');
  return `${text} Edit: ${coded}, `;
}
