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

/** No usable PostgreSQL server programs (or, as root, no `postgres` user to own a cluster). */
export class PostgresUnavailableError extends HeartlineError {
  readonly code = 'POSTGRES_UNAVAILABLE';
}

/** A local PostgreSQL cluster failed at `step`; the message carries the program's output or log. */
export class PostgresServerError extends HeartlineError {
  readonly code = 'POSTGRES_SERVER';
  constructor(
    readonly step: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`PostgreSQL server: ${step} failed: ${detail}`, options);
  }
}
