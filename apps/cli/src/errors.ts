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

/** A program from the system that a command needs (PostgreSQL, mosquitto) is not installed. */
export class SystemProgramMissingError extends HeartlineError {
  readonly code = 'SYSTEM_PROGRAM_MISSING';
}

/** A process `heartline start --cluster` runs (a cloud instance, mosquitto) failed or did not come up. */
export class ClusterStartError extends HeartlineError {
  readonly code = 'CLUSTER_START';
}
