/** Errors of the test fixtures: each with a stable `code`, as every heartline error. */
import { HeartlineError } from '@heartline/ecg/errors';

/** No usable PostgreSQL server binaries (or, as root, no `postgres` user to own a cluster). */
export class PostgresUnavailableError extends HeartlineError {
  readonly code = 'POSTGRES_UNAVAILABLE';
}

/** A throwaway PostgreSQL server failed at `step`; the message carries the tool's output or log. */
export class PostgresServerError extends HeartlineError {
  readonly code = 'POSTGRES_SERVER';
  constructor(
    readonly step: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`PostgreSQL test server: ${step} failed: ${detail}`, options);
  }
}
