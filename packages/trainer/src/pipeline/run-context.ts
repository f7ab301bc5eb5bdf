/** The setup every release run starts with: seed, log and progress callbacks, the TF.js backend. */
import { type BackendName, selectBackend } from '../backend.js';

/** What the steps of a release run report to and draw from. */
export interface RunContext {
  /** Seed of data order, masks and weights. */
  readonly seed: number;
  readonly backend: BackendName;
  readonly log: (line: string) => void;
  readonly progress: (stage: string, done: number, total: number, detail?: string) => void;
}

/** Options a run context is made from (the release functions' own fields of the same names). */
export interface RunContextOptions {
  /** Default 1. */
  readonly seed?: number;
  readonly log?: (line: string) => void;
  readonly onProgress?: (stage: string, done: number, total: number, detail?: string) => void;
}

/** Selects the best available backend (logged) and fills in the defaults. */
export async function startRun(o: RunContextOptions): Promise<RunContext> {
  const log = o.log ?? (() => {});
  const backend = await selectBackend(undefined, { log });
  return { seed: o.seed ?? 1, backend, log, progress: o.onProgress ?? (() => {}) };
}
