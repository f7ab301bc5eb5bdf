/**
 * Messages between the job manager (main thread) and a job's worker thread. The job's input travels as
 * `workerData`; the manager may send `cancel`; the worker reports events and ends with exactly one of
 * `done`, `failed` or `cancelled`.
 */
import type { AlignPair, RecipeName } from '@heartline/trainer';
import type { JobEvent } from './job-types.js';

/** `workerData` of a job worker. */
export type JobWorkerInput =
  | {
      readonly kind: 'pretrain';
      /** Where the release is written. */
      readonly out: string;
      readonly preset: RecipeName;
      readonly steps?: number | undefined;
      readonly dataDirs: readonly string[];
    }
  | {
      readonly kind: 'align';
      readonly out: string;
      readonly parentDir: string;
      readonly preset?: RecipeName | undefined;
      readonly steps?: number | undefined;
      readonly pairs: readonly AlignPair[];
      readonly sources: Readonly<Record<string, number>>;
    };

/** Main → worker. */
export interface CancelMessage {
  readonly type: 'cancel';
}

/** Worker → main: a job event (a `done` event's release is the id written in `out`). */
export type JobWorkerMessage = JobEvent;
