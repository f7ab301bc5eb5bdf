import type { ScpCodes } from './scp-codes.js';
import {
  DIAGNOSTIC_SUPERCLASSES,
  type DiagnosticSuperclass,
  type ScpStatementTable,
} from './scp-statements.js';

/** Options of {@link deriveLabels}. */
export interface LabelOptions {
  /**
   * Minimum likelihood (%) a diagnostic code needs to count. Default 0: every diagnostic code listed
   * counts, whatever its likelihood; this is what PTB-XL's own example loader and the Strodthoff et al.
   * benchmark do, so label counts match the published ones. Raise it (e.g. 50 or 100) for "confident only"
   * labels; note PTB-XL writes 0 both for "likelihood not stated" and for genuinely uncertain statements,
   * so any threshold > 0 also drops the unstated ones. Range 0–100. Rhythm and form lists ignore it:
   * PTB-XL almost always gives them likelihood 0 (not stated).
   */
  readonly minLikelihood?: number;
}

/** The label families of one record, derived from its SCP codes and the statement table. */
export interface EcgLabels {
  /** Diagnostic superclasses, unique, in {@link DIAGNOSTIC_SUPERCLASSES} order. Empty when none applies. */
  readonly superclasses: readonly DiagnosticSuperclass[];
  /** Diagnostic subclasses (e.g. `IMI`, `LAFB/LPFB`), unique, sorted. */
  readonly subclasses: readonly string[];
  /** Diagnostic codes that passed the likelihood threshold, in record order. */
  readonly diagnostic: readonly string[];
  /** Rhythm statement codes, in record order. */
  readonly rhythm: readonly string[];
  /** Form statement codes, in record order. */
  readonly form: readonly string[];
  /** Codes missing from the statement table (kept so callers can report them, never silently dropped). */
  readonly unknown: readonly string[];
}

/**
 * Derives diagnostic superclass/subclass labels plus rhythm and form statement lists, following PTB-XL:
 * a code is diagnostic when its statement has `diagnostic == 1`, and it contributes its
 * `diagnostic_class` and `diagnostic_subclass`. A code can be diagnostic and form at once (e.g. `NDT`).
 */
export function deriveLabels(
  codes: ScpCodes,
  statements: ScpStatementTable,
  options: LabelOptions = {},
): EcgLabels {
  const minLikelihood = options.minLikelihood ?? 0;
  const supers = new Set<DiagnosticSuperclass>();
  const subs = new Set<string>();
  const diagnostic: string[] = [];
  const rhythm: string[] = [];
  const form: string[] = [];
  const unknown: string[] = [];
  for (const [code, likelihood] of Object.entries(codes)) {
    const st = statements.get(code);
    if (st === undefined) {
      unknown.push(code);
      continue;
    }
    if (st.diagnostic && likelihood >= minLikelihood) {
      diagnostic.push(code);
      if (st.diagnosticClass !== undefined) supers.add(st.diagnosticClass);
      if (st.diagnosticSubclass !== undefined) subs.add(st.diagnosticSubclass);
    }
    if (st.rhythm) rhythm.push(code);
    if (st.form) form.push(code);
  }
  return {
    superclasses: DIAGNOSTIC_SUPERCLASSES.filter((c) => supers.has(c)),
    subclasses: [...subs].sort(),
    diagnostic,
    rhythm,
    form,
    unknown,
  };
}

/** A 0/1 vector over {@link DIAGNOSTIC_SUPERCLASSES} (NORM, MI, STTC, CD, HYP) for multi-label training. */
export function superclassMultiHot(superclasses: readonly DiagnosticSuperclass[]): Uint8Array {
  const out = new Uint8Array(DIAGNOSTIC_SUPERCLASSES.length);
  for (const c of superclasses) out[DIAGNOSTIC_SUPERCLASSES.indexOf(c)] = 1;
  return out;
}
