import { describe, expect, it } from 'vitest';
import { epochLength } from './train.js';

const source = (batchesPerEpoch: number) => ({
  batchesPerEpoch,
  batch: () => {
    throw new Error('not drawn');
  },
});

describe('epochLength', () => {
  it('is a tenth of the steps, at least 1', () => {
    expect(epochLength(source(100), 220)).toBe(22);
    expect(epochLength(source(100), 4)).toBe(1);
  });

  it('is at most one pass over the data', () => {
    expect(epochLength(source(3), 220)).toBe(3);
  });
});
