/**
 * The command line's own failures, each with a stable `code` (on the model's `HeartlineError`).
 * `runCli` turns a UsageError into the usage text and exit code 2, any other HeartlineError into
 * `error [CODE]: message` and exit code 1.
 */
import { HeartlineError } from '@heartline/model/errors';

/** A command-line usage mistake (unknown flag, missing argument): printed with the usage, exit code 2. */
export class UsageError extends HeartlineError {
  readonly code = 'USAGE';
}

/** An environment variable with a value heartline cannot use; `variable` names it. */
export class EnvironmentError extends HeartlineError {
  readonly code = 'ENVIRONMENT';
  constructor(
    readonly variable: string,
    readonly problems: readonly string[],
  ) {
    super(`environment: ${problems.join('; ')}`);
  }
}

/** A running cloud named on the command line (`--cloud URL`) that did not answer. */
export class CloudUnreachableError extends HeartlineError {
  readonly code = 'CLOUD_UNREACHABLE';
}
