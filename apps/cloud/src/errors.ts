/**
 * Every failure the cloud reports. Each class has a stable `code`; `http/error-status.ts` maps them to
 * HTTP statuses in one place.
 */
import { HeartlineError } from '@heartline/model/errors';

/** A credential (bearer token, device secret) that is missing, unknown or wrong. */
export class UnauthenticatedError extends HeartlineError {
  readonly code = 'UNAUTHENTICATED';
}

/** A known caller whose role does not allow the action; `needed` names the role required. */
export class ForbiddenError extends HeartlineError {
  readonly code = 'FORBIDDEN';
  constructor(readonly needed: string) {
    super(`this action needs the '${needed}' role`);
  }
}

/** Something named in a request that does not exist (device, release, case, record). */
export class NotFoundError extends HeartlineError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} '${id}' does not exist`);
  }
}

/** A request body or parameter that is well-formed JSON but not acceptable (bad FHIR, unknown class set…). */
export class BadRequestError extends HeartlineError {
  readonly code = 'BAD_REQUEST';
  constructor(
    detail: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length ? `${detail}: ${problems.join('; ')}` : detail);
  }
}

/** A requested folder outside the import roots, or not there (one error for both, on purpose). */
export class FolderNotAllowedError extends HeartlineError {
  readonly code = 'FOLDER_NOT_ALLOWED';
  constructor() {
    super('folder not allowed or not found (server-side folders must lie under the configured import roots)');
  }
}

/** A request body larger than the limit. */
export class PayloadTooLargeError extends HeartlineError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`the request body is larger than ${maxBytes} bytes`);
  }
}

/** A state the request cannot be served in (no live release, release dimension clash…). */
export class ConflictError extends HeartlineError {
  readonly code = 'CONFLICT';
}

/** The database answered with an error the caller cannot fix; `cause` holds the driver's error. */
export class StorageError extends HeartlineError {
  readonly code = 'STORAGE';
}

/** TLS material that cannot be used (not PEM, key and certificate apart) or made (openssl missing or failing). */
export class TlsError extends HeartlineError {
  readonly code = 'TLS';
}

/** The external broker's files are not set up as the cloud expects (run `heartline cloud --write-mosquitto`). */
export class BrokerSetupError extends HeartlineError {
  readonly code = 'BROKER_SETUP';
}

/** The in-process vector index failed: its worker died, a snapshot is corrupt, or it was used after close. */
export class VectorIndexError extends HeartlineError {
  readonly code = 'VECTOR_INDEX';
}

/** Options given to the cloud that are not acceptable; `field` names the first offending one. */
export class InvalidOptionsError extends HeartlineError {
  readonly code = 'INVALID_OPTIONS';
  constructor(
    readonly field: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid cloud options: ${problems.join('; ')}`);
  }
}

/**
 * A release file the database holds whose bytes are not what was stored (size or sha256 differ): the
 * row was changed or damaged after registration. Register the release's directory again to repair it.
 */
export class ReleaseFileError extends HeartlineError {
  readonly code = 'RELEASE_FILE';
  constructor(
    readonly release: string,
    readonly file: string,
    detail: string,
  ) {
    super(
      `release ${release}: stored file ${file} ${detail}; register the release directory again to repair it`,
    );
  }
}
