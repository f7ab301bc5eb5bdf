/**
 * node-io's own failures, each with a stable `code`. Malformed files and folders use the model's classes
 * (`WfdbHeaderError`, `DatasetError`, … in `@heartline/model/errors`).
 */
import { HeartlineError } from '@heartline/model/errors';

/** A shared dataset the tests need is missing under CI, where it must be provided; `dataset` names it. */
export class SharedDataMissingError extends HeartlineError {
  readonly code = 'SHARED_DATA_MISSING';
  constructor(
    readonly dataset: string,
    detail: string,
  ) {
    super(detail);
  }
}
