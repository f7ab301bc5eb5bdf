/**
 * The trainer's own failures, each with a stable `code`. Data and release problems use the model's
 * classes (`DatasetError`, `ReleaseError`, … in `@heartline/model/errors`); wrong arguments stay
 * `RangeError`/`TypeError` naming the parameter.
 */
import { HeartlineError } from '@heartline/model/errors';

/** No TensorFlow.js backend could be started. */
export class BackendUnavailableError extends HeartlineError {
  readonly code = 'BACKEND_UNAVAILABLE';
}

/** A data-parallel gradient worker failed or broke the message protocol; the training run stops. */
export class TrainingWorkerError extends HeartlineError {
  readonly code = 'TRAINING_WORKER';
}

/** A shard cache that cannot be used as asked: built with other settings, unfinished, or damaged. */
export class ShardCacheError extends HeartlineError {
  readonly code = 'SHARD_CACHE';
}
