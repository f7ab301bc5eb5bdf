import type { ReportLanguage } from '@heartline/ecg/data';

/** Where a training example came from. */
export type ExampleSource = 'ptbxl' | 'synthetic' | 'paired' | 'challenge' | 'wfdb';

/**
 * Model-ready examples, struct-of-arrays so a batch is a few typed-array copies: one 10 s 12-lead window
 * (12 × 1000 at 100 Hz, lead-major, per-lead normalised) per example, its lead mask, its report and labels.
 */
export interface ExampleSet {
  readonly size: number;
  /** `size × 12 × 1000` floats. */
  readonly windows: Float32Array;
  /** `size × 12`; 1 = lead usable. */
  readonly leadMasks: Uint8Array;
  /** Report text as written (empty when the source has none, e.g. the Challenge layout). */
  readonly reports: readonly string[];
  /** Normalised report text: examples with equal keys are not negatives of each other. */
  readonly reportKeys: readonly string[];
  readonly languages: readonly ReportLanguage[];
  /** Class codes per example: diagnostic superclasses plus SCP (or mapped SNOMED) statement codes. */
  readonly labels: readonly (readonly string[])[];
  /** PTB-XL strat fold (1–10), or 0 when the source has none. */
  readonly folds: Int8Array;
  readonly sources: readonly ExampleSource[];
  /** Record identifier per example, for case links and error messages. */
  readonly ids: readonly string[];
}

/** One example before it is packed into an {@link ExampleSet}. */
export interface Example {
  readonly window: Float32Array;
  readonly leadMask: Uint8Array;
  readonly report: string;
  readonly reportKey: string;
  readonly language: ReportLanguage;
  readonly labels: readonly string[];
  readonly fold: number;
  readonly source: ExampleSource;
  readonly id: string;
}

const WINDOW = 12 * 1000;

/** Packs examples into one {@link ExampleSet}. */
export function packExamples(examples: readonly Example[]): ExampleSet {
  const windows = new Float32Array(examples.length * WINDOW);
  const leadMasks = new Uint8Array(examples.length * 12);
  const folds = new Int8Array(examples.length);
  examples.forEach((e, i) => {
    windows.set(e.window, i * WINDOW);
    leadMasks.set(e.leadMask, i * 12);
    folds[i] = e.fold;
  });
  return {
    size: examples.length,
    windows,
    leadMasks,
    reports: examples.map((e) => e.report),
    reportKeys: examples.map((e) => e.reportKey),
    languages: examples.map((e) => e.language),
    labels: examples.map((e) => e.labels),
    folds,
    sources: examples.map((e) => e.source),
    ids: examples.map((e) => e.id),
  };
}

/** The examples at `indices`, as a new set. */
export function subsetExamples(set: ExampleSet, indices: readonly number[]): ExampleSet {
  const windows = new Float32Array(indices.length * WINDOW);
  const leadMasks = new Uint8Array(indices.length * 12);
  const folds = new Int8Array(indices.length);
  indices.forEach((src, i) => {
    windows.set(set.windows.subarray(src * WINDOW, (src + 1) * WINDOW), i * WINDOW);
    leadMasks.set(set.leadMasks.subarray(src * 12, (src + 1) * 12), i * 12);
    folds[i] = set.folds[src]!;
  });
  const pick = <T>(xs: readonly T[]) => indices.map((i) => xs[i]!);
  return {
    size: indices.length,
    windows,
    leadMasks,
    reports: pick(set.reports),
    reportKeys: pick(set.reportKeys),
    languages: pick(set.languages),
    labels: pick(set.labels),
    folds,
    sources: pick(set.sources),
    ids: pick(set.ids),
  };
}

/** The examples for which `keep(index)` holds, in order, as a new set. */
export function filterExamples(set: ExampleSet, keep: (index: number) => boolean): ExampleSet {
  return subsetExamples(
    set,
    [...Array(set.size).keys()].filter((i) => keep(i)),
  );
}

/** Concatenates sets (in order). */
export function concatExamples(sets: readonly ExampleSet[]): ExampleSet {
  const indices: [number, number][] = [];
  sets.forEach((s, k) => {
    for (let i = 0; i < s.size; i++) indices.push([k, i]);
  });
  const total = indices.length;
  const windows = new Float32Array(total * WINDOW);
  const leadMasks = new Uint8Array(total * 12);
  const folds = new Int8Array(total);
  let offset = 0;
  for (const s of sets) {
    windows.set(s.windows, offset * WINDOW);
    leadMasks.set(s.leadMasks, offset * 12);
    folds.set(s.folds, offset);
    offset += s.size;
  }
  const flat = <T>(get: (s: ExampleSet) => readonly T[]) => sets.flatMap((s) => [...get(s)]);
  return {
    size: total,
    windows,
    leadMasks,
    reports: flat((s) => s.reports),
    reportKeys: flat((s) => s.reportKeys),
    languages: flat((s) => s.languages),
    labels: flat((s) => s.labels),
    folds,
    sources: flat((s) => s.sources),
    ids: flat((s) => s.ids),
  };
}
