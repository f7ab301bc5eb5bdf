import { describe, expect, it } from 'vitest';
import { rocOnGrid, trainingSeries, unitGrid } from './roc-grid.js';

describe('unitGrid', () => {
  it('spans 0 to 1 in n steps', () => {
    expect(unitGrid(4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => unitGrid(0)).toThrow(RangeError);
  });
});

describe('rocOnGrid', () => {
  it('samples a ROC curve as a step function of the false-positive rate', () => {
    // Scores ranked: pos, neg, pos, neg → points (0,0) (0,.5) (.5,.5) (.5,1) (1,1).
    const fpr = [0, 0, 0.5, 0.5, 1];
    const tpr = [0, 0.5, 0.5, 1, 1];
    expect(rocOnGrid(fpr, tpr, unitGrid(4))).toEqual([0.5, 0.5, 1, 1, 1]);
  });

  it('rejects curves whose arrays differ in length', () => {
    expect(() => rocOnGrid([0, 1], [0], [0])).toThrow(/length/);
  });
});

describe('trainingSeries', () => {
  it('takes the epoch as x and leaves gaps where validation is missing', () => {
    const series = trainingSeries([
      { epoch: 1, train: { total: 3 }, validation: { total: 4 } },
      { epoch: 2, train: { total: 2 } },
    ]);
    expect(series).toEqual({ x: [1, 2], train: [3, 2], validation: [4, null] });
  });
});
