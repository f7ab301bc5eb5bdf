import { HeartlineError } from '@heartline/model/errors';
import { describe, expect, it } from 'vitest';
import { UsageError as UsageErrorFromCommand } from './command.js';
import { CloudUnreachableError, EnvironmentError, UsageError } from './errors.js';

describe('cli errors', () => {
  it.each([
    [new UsageError("unexpected argument 'x'"), 'USAGE'],
    [new EnvironmentError('DATABASE_URL', ['DATABASE_URL: must be a URL']), 'ENVIRONMENT'],
    [new CloudUnreachableError('http://127.0.0.1:1 did not answer'), 'CLOUD_UNREACHABLE'],
  ] as const)('%s carries its stable code', (error, code) => {
    expect(error).toBeInstanceOf(HeartlineError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  it('is the one UsageError, whichever module a command imports it from', () => {
    expect(UsageErrorFromCommand).toBe(UsageError);
  });
});
