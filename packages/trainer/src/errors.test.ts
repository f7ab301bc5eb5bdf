import { HeartlineError } from '@heartline/model/errors';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, TrainingWorkerError } from './errors.js';

describe('trainer errors', () => {
  it.each([
    [new BackendUnavailableError('no backend'), 'BACKEND_UNAVAILABLE'],
    [new TrainingWorkerError('worker failed'), 'TRAINING_WORKER'],
  ] as const)('%s carries its stable code', (error, code) => {
    expect(error).toBeInstanceOf(HeartlineError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });
});
