import { describe, expect, it } from 'vitest';
import { checkValidationFolds } from './data.js';

describe('checkValidationFolds', () => {
  it('accepts folds 1–8', () => {
    expect(() => checkValidationFolds([1, 8])).not.toThrow();
  });

  it('refuses the held-out folds 9 and 10 and non-integers, quoting the fold', () => {
    expect(() => checkValidationFolds([8, 9])).toThrow(/validation fold.*9.*never read/);
    expect(() => checkValidationFolds([2.5])).toThrow(/2\.5/);
  });
});
