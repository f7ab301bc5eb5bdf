import { HeartlineError as EcgHeartlineError } from '@heartline/ecg/errors';
import { describe, expect, it } from 'vitest';
import {
  HeartlineError,
  InvalidArgumentError,
  InvalidStateError,
  ModelError,
  ReleaseError,
  SelfTestError,
  TokenizerError,
  UnsupportedPlatformError,
} from './errors.js';

describe('model errors', () => {
  const cases: [HeartlineError, string][] = [
    [new InvalidArgumentError('fs', 0, 'must be > 0'), 'INVALID_ARGUMENT'],
    [new TokenizerError('vocab.json', 'version 9'), 'TOKENIZER'],
    [new ReleaseError('rel', 'hash mismatch'), 'RELEASE'],
    [new ModelError('model.onnx', 'truncated'), 'MODEL'],
    [new SelfTestError('cosine 0.5 < 0.999'), 'SELF_TEST'],
    [new InvalidStateError('released'), 'INVALID_STATE'],
    [new UnsupportedPlatformError('big-endian hosts are not supported'), 'UNSUPPORTED_PLATFORM'],
  ];

  it.each(cases)('%s carries its stable code', (error, code) => {
    expect(error).toBeInstanceOf(HeartlineError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the self-test message and reason', () => {
    const error = new SelfTestError('cosine 0.5 < 0.999');
    expect(error.message).toBe('self-test failed: cosine 0.5 < 0.999');
    expect(error.reason).toBe('cosine 0.5 < 0.999');
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('EOF');
    expect(new ModelError('model.onnx', 'truncated', { cause }).cause).toBe(cause);
  });

  it('re-exports the one base class of the ECG data package', () => {
    expect(new ModelError('m', 'x')).toBeInstanceOf(EcgHeartlineError);
  });
});
