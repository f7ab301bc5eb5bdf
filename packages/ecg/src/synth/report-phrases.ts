import type { ScpCode } from './conditions.js';
import type { EcgFindings } from './generate.js';

/** What a report is written from. */
export interface ReportInput {
  readonly codes: readonly ScpCode[];
  readonly findings: EcgFindings;
  /** Likelihood per code (0–100); low values get hedged wording. Default 100. */
  readonly likelihoods?: Readonly<Record<string, number>>;
}

/** Weighted alternatives: [phrase, weight]. */
export type Choices = readonly (readonly [string, number])[];

/** Equal-weight alternatives. */
export function even(...phrases: string[]): Choices {
  return phrases.map((p) => [p, 1] as const);
}

/** True when the code is present and stated with likelihood ≤ 50 (PTB-XL's "possible"). */
export function hedged(input: ReportInput, code: ScpCode): boolean {
  return input.codes.includes(code) && (input.likelihoods?.[code] ?? 100) <= 50;
}

/** Lead groups as cardiologists list them, in both spellings PTB-XL uses. */
export const LEAD_LISTS = {
  inferior: even('ii, iii, avf', 'ii,iii,avf', 'iii, avf'),
  lateral: even('i, avl, v5,6', 'i, avl, v4,5,6', 'v5,6', 'i,avl,v5-6', 'v5,v6', 'i, ii, avl, v4,5,6'),
  anteroseptal: even('v1-3', 'v2,3', 'v1,2,3', 'v1-v3'),
  anterior: even('v2-4', 'v2,3,4', 'v1-4', 'v2-5'),
} as const;
