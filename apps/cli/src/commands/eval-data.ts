import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type ExampleSet,
  examplesFromChallengeFolder,
  examplesFromPtbxlFolder,
  filterExamples,
} from '@heartline/trainer';
import { UsageError } from '../command.js';

/** Training folds: 9 and 10 are PTB-XL's held-out folds and never train anything. */
const TRAINING_FOLDS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** Where `heartline eval` evaluates, and where its linear probes (and the supervised baseline) train. */
export interface EvalPlan {
  readonly data: string;
  readonly folds: readonly number[];
  /** Null when nothing is trained (a Challenge folder without `--probe-train`). */
  readonly probe: { readonly data: string; readonly folds: readonly number[] } | null;
}

/** Parses a comma-separated fold list, each within `allowed`, naming the option when one is not. */
export function parseFolds(text: string, option: string, allowed: readonly number[]): number[] {
  const folds = text.split(',').map((f) => Number(f.trim()));
  if (folds.length === 0 || folds.some((f) => !Number.isInteger(f) || !allowed.includes(f))) {
    throw new UsageError(
      `${option} must list PTB-XL strat folds ${allowed[0]}–${allowed[allowed.length - 1]}, got '${text}'` +
        (allowed.length === 8 ? ' (folds 9 and 10 are held out and never train anything)' : ''),
    );
  }
  return [...new Set(folds)];
}

/** True when `dir` holds a PTB-XL-layout folder (else it is read as the PhysioNet Challenge layout). */
export function isPtbxlFolder(dir: string): boolean {
  return existsSync(join(dir, 'ptbxl_database.csv'));
}

/**
 * Decides the probe's training records. Default: the evaluation folder's folds 1–8 outside the evaluation
 * folds (none for a Challenge folder). With `--probe-train DIR`: that folder's folds 1–8, or
 * `--probe-folds`. A probe fold that is also an evaluation fold of the same folder is refused: the probe
 * would be scored on records it was fitted on.
 */
export function evalPlan(o: {
  readonly data: string;
  readonly folds: string;
  readonly probeTrain?: string | undefined;
  readonly probeFolds?: string | undefined;
  readonly dataIsPtbxl: boolean;
}): EvalPlan {
  const folds = parseFolds(o.folds, '--folds', [...TRAINING_FOLDS, 9, 10]);
  const probeDir = o.probeTrain ?? o.data;
  const sameFolder = resolve(probeDir) === resolve(o.data);
  if (!o.probeTrain && !o.dataIsPtbxl) {
    if (o.probeFolds)
      throw new UsageError('--probe-folds needs --probe-train DIR for a Challenge-layout --data');
    return { data: o.data, folds, probe: null };
  }
  const probeFolds = o.probeFolds
    ? parseFolds(o.probeFolds, '--probe-folds', TRAINING_FOLDS)
    : TRAINING_FOLDS.filter((f) => !(sameFolder && folds.includes(f)));
  const overlap = sameFolder && o.dataIsPtbxl ? probeFolds.filter((f) => folds.includes(f)) : [];
  if (overlap.length > 0) {
    throw new UsageError(
      `--probe-folds ${overlap.join(', ')} ${overlap.length > 1 ? 'are' : 'is'} also evaluated (--folds); ` +
        'train the probe on other folds or on another folder (--probe-train DIR)',
    );
  }
  return { data: o.data, folds, probe: probeFolds.length > 0 ? { data: probeDir, folds: probeFolds } : null };
}

/** Reads the evaluation set and the probe-training set of a plan (one pass when they share a folder). */
export async function loadEvalSets(
  plan: EvalPlan,
  dataIsPtbxl: boolean,
  warn: (message: string) => void,
): Promise<{ set: ExampleSet; probeTrain: ExampleSet | undefined }> {
  const { probe } = plan;
  if (probe && !isPtbxlFolder(probe.data)) {
    throw new UsageError(`--probe-train ${probe.data} is not a PTB-XL-layout folder (no ptbxl_database.csv)`);
  }
  if (dataIsPtbxl && probe && resolve(probe.data) === resolve(plan.data)) {
    const all = (await examplesFromPtbxlFolder(plan.data, { folds: [...plan.folds, ...probe.folds] })).set;
    return {
      set: filterExamples(all, (i) => plan.folds.includes(all.folds[i]!)),
      probeTrain: filterExamples(all, (i) => probe.folds.includes(all.folds[i]!)),
    };
  }
  let set: ExampleSet;
  if (dataIsPtbxl) set = (await examplesFromPtbxlFolder(plan.data, { folds: [...plan.folds] })).set;
  else {
    const challenge = await examplesFromChallengeFolder(plan.data);
    set = challenge.set;
    const unmapped = Object.entries(challenge.unmappedCodes);
    if (unmapped.length)
      warn(
        `SNOMED codes not mapped (listed, not guessed): ${unmapped.map(([c, n]) => `${c}×${n}`).join(', ')}`,
      );
  }
  const probeTrain = probe
    ? (await examplesFromPtbxlFolder(probe.data, { folds: [...probe.folds] })).set
    : undefined;
  return { set, probeTrain };
}
