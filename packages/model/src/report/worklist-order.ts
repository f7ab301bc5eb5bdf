/**
 * The clinician's worklist order: the cases the model is least sure of first. Two signs of doubt, each
 * scaled to 0–1 and averaged: a small margin between the two most probable zero-shot classes (the model
 * cannot choose), and a large distance from the case to the nearest stored report (the case is unlike
 * anything the reports describe: out of distribution).
 */

/** One unsigned case's doubt. */
export interface CaseDoubt {
  /** Top-class minus second-class zero-shot probability (0–1); small: unsure. */
  readonly margin: number;
  /** 1 − cosine to the nearest stored report of its release (0–2); null: the release has no reports. */
  readonly oodDistance: number | null;
}

/**
 * How unsure the model is of a case, 0 (sure) to 1: the mean of `1 − margin` and the report distance
 * capped at 1 (a cosine of 0 or below is as far as it gets). No stored report counts as farthest.
 */
export function uncertainty({ margin, oodDistance }: CaseDoubt): number {
  const m = Number.isFinite(margin) ? Math.min(1, Math.max(0, margin)) : 0;
  const d = oodDistance === null || !Number.isFinite(oodDistance) ? 1 : Math.min(1, Math.max(0, oodDistance));
  return (1 - m + d) / 2;
}

/**
 * Cases most unsure first; equal doubt keeps the newer case first, then device and seq, so the order
 * is stable.
 */
export function orderWorklist<T extends CaseDoubt & { deviceId: string; seq: number; t0: string }>(
  cases: readonly T[],
): (T & { uncertainty: number })[] {
  return cases
    .map((c) => ({ ...c, uncertainty: uncertainty(c) }))
    .sort(
      (a, b) =>
        b.uncertainty - a.uncertainty ||
        b.t0.localeCompare(a.t0) ||
        a.deviceId.localeCompare(b.deviceId) ||
        a.seq - b.seq,
    );
}
