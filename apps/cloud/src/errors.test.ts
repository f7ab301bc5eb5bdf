import { HeartlineError } from '@heartline/model/errors';
import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  BrokerSetupError,
  ConflictError,
  FolderNotAllowedError,
  ForbiddenError,
  InvalidOptionsError,
  NotFoundError,
  PayloadTooLargeError,
  ReleaseFileError,
  StorageError,
  TlsError,
  UnauthenticatedError,
  VectorIndexError,
} from './errors.js';
import { statusOf } from './http/error-status.js';

describe('cloud errors', () => {
  it.each([
    [new UnauthenticatedError('no token'), 'UNAUTHENTICATED', 401],
    [new ForbiddenError('operator'), 'FORBIDDEN', 403],
    [new FolderNotAllowedError(), 'FOLDER_NOT_ALLOWED', 403],
    [new NotFoundError('device', 'd1'), 'NOT_FOUND', 404],
    [new BadRequestError('bad FHIR', ['no code']), 'BAD_REQUEST', 400],
    [new ConflictError('no live release'), 'CONFLICT', 409],
    [new StorageError('connection lost'), 'STORAGE', 503],
    [new PayloadTooLargeError(1024), 'PAYLOAD_TOO_LARGE', 413],
    [new TlsError('TLS: openssl req failed'), 'TLS', 500],
    [new BrokerSetupError("passwords has no 'cloud' user"), 'BROKER_SETUP', 500],
    [new VectorIndexError('vector index: closed'), 'VECTOR_INDEX', 500],
    [new InvalidOptionsError('httpPort', ['httpPort: must be 0 to 65535']), 'INVALID_OPTIONS', 500],
    [new ReleaseFileError('r1', 'weights.bin', 'has sha256 00…'), 'RELEASE_FILE', 500],
  ] as const)('%s carries code %s and maps to HTTP %i', (error, code, status) => {
    expect(error).toBeInstanceOf(HeartlineError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
    expect(statusOf(error)).toBe(status);
  });

  it('InvalidOptionsError names the field and lists the problems', () => {
    const error = new InvalidOptionsError('httpPort', [
      'httpPort: must be 0 to 65535',
      'host: must not be empty',
    ]);
    expect(error.field).toBe('httpPort');
    expect(error.message).toBe(
      'invalid cloud options: httpPort: must be 0 to 65535; host: must not be empty',
    );
  });
});
