/**
 * Every failure heartline's ECG data layer can report (WFDB, signals, datasets, FHIR), and the base every
 * heartline error extends, here because this is the lowest package of the workspace. Each class has a
 * stable `code` (for logs, HTTP mapping and tests) and a message that names the offending value and says
 * how to fix it.
 */

/** Base class of every heartline error: a stable machine-readable `code` plus an optional `cause`. */
export abstract class HeartlineError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A WFDB header (`.hea`) that cannot be parsed; `source` names the file or record. */
export class WfdbHeaderError extends HeartlineError {
  readonly code = 'WFDB_HEADER';
  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: header line ${line}: ${detail}`, options);
  }
}

/** A WFDB storage format or layout heartline does not decode (FLAC 508/516/524, multi-segment, …). */
export class WfdbUnsupportedError extends HeartlineError {
  readonly code = 'WFDB_UNSUPPORTED';
  constructor(
    readonly source: string,
    readonly feature: string,
    hint = 'convert it with WFDB tools (e.g. `xform -f 16`) to an uncompressed format',
  ) {
    super(`${source}: ${feature} is not supported; ${hint}`);
  }
}

/** A WFDB signal file that does not agree with its header: truncated, missing or the wrong size. */
export class WfdbDataError extends HeartlineError {
  readonly code = 'WFDB_DATA';
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** A CSV file that is malformed or lacks required columns. */
export class CsvError extends HeartlineError {
  readonly code = 'CSV';
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** A dataset folder or row that does not match the layout it claims (PTB-XL, PhysioNet Challenge). */
export class DatasetError extends HeartlineError {
  readonly code = 'DATASET';
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** A signal with the wrong shape, rate or length for the operation asked of it. */
export class SignalShapeError extends HeartlineError {
  readonly code = 'SIGNAL_SHAPE';
}

/** An argument outside its documented range (a sample rate of 0, a window longer than the signal…). */
export class InvalidArgumentError extends HeartlineError {
  readonly code = 'INVALID_ARGUMENT';
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    expectation: string,
  ) {
    super(`${parameter} = ${JSON.stringify(value)}: ${expectation}`);
  }
}

/** A FHIR resource that is not a valid ECG Observation; `problems` lists everything found wrong. */
export class FhirError extends HeartlineError {
  readonly code = 'FHIR';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: not a valid ECG Observation: ${problems.join('; ')}`);
  }
}
