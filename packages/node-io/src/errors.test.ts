import { HeartlineError } from '@heartline/model/errors';
import { describe, expect, it } from 'vitest';
import { SharedDataMissingError } from './errors.js';

describe('node-io errors', () => {
  it('SharedDataMissingError carries its stable code and the dataset', () => {
    const error = new SharedDataMissingError('ptb-xl', 'CI: not found');
    expect(error).toBeInstanceOf(HeartlineError);
    expect(error.code).toBe('SHARED_DATA_MISSING');
    expect(error.dataset).toBe('ptb-xl');
    expect(error.message).toBe('CI: not found');
  });
});
