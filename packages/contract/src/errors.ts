/**
 * Every failure of the contract between devices and the cloud: a wire message or a command that does
 * not hold to it. Each class has a stable `code`; both extend the one `HeartlineError` base.
 */
import { HeartlineError } from '@heartline/ecg/errors';

/** A wire message (MQTT payload) that is malformed or invalid; `reason` is stable for rejection counters. */
export class WireError extends HeartlineError {
  readonly code = 'WIRE';
  constructor(
    readonly reason: 'too-large' | 'malformed' | 'version' | 'invalid',
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${problems.join('; ')}`, options);
  }
}

/** A `cmd` payload that is not a command this version knows; `text` (cut to 200 characters) is for logs. */
export class InvalidCommandError extends HeartlineError {
  readonly code = 'INVALID_COMMAND';
  constructor(
    readonly text: string,
    detail: string,
  ) {
    super(`invalid command ${JSON.stringify(text)}: ${detail}`);
  }
}
