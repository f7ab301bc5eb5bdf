/**
 * Every failure heartline's model layer can report (tokenizer, releases, ONNX models). Each class has
 * a stable `code` (for logs, HTTP mapping and tests) and a message that names the offending value and says
 * how to fix it. The base class and the argument error come from the ECG data package, below this one, and
 * are exported again here so every part can extend the one base.
 */
import { HeartlineError } from '@heartline/ecg/errors';

export { HeartlineError, InvalidArgumentError } from '@heartline/ecg/errors';

/** A tokenizer file (vocabulary JSON) that is malformed, of an unknown version, or inconsistent. */
export class TokenizerError extends HeartlineError {
  readonly code = 'TOKENIZER';
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** A release or checkpoint directory that is incomplete, corrupt (hash mismatch) or of an unknown format. */
export class ReleaseError extends HeartlineError {
  readonly code = 'RELEASE';
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** An ONNX model that cannot be loaded or run (corrupt or truncated bytes, wrong inputs, failed self-test). */
export class ModelError extends HeartlineError {
  readonly code = 'MODEL';
  constructor(
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${detail}`, options);
  }
}

/** A model's self-test (a known window and its expected embedding) gave another answer: do not use it. */
export class SelfTestError extends HeartlineError {
  readonly code = 'SELF_TEST';
  constructor(readonly reason: string) {
    super(`self-test failed: ${reason}`);
  }
}

/** An object used outside its lifetime: after it was released or closed, or before it was started. */
export class InvalidStateError extends HeartlineError {
  readonly code = 'INVALID_STATE';
}

/** A host this code cannot run on correctly (e.g. big-endian, where raw Float32Array bytes differ). */
export class UnsupportedPlatformError extends HeartlineError {
  readonly code = 'UNSUPPORTED_PLATFORM';
}
