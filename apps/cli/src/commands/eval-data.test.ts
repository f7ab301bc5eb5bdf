import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { evalPlan, parseFolds } from './eval-data.js';

describe('evalPlan', () => {
  it('trains the probe on the evaluation folder’s other folds 1–8 by default', () => {
    const plan = evalPlan({ data: 'ptbxl', folds: '8', dataIsPtbxl: true });
    expect(plan).toEqual({
      data: 'ptbxl',
      folds: [8],
      probe: { data: 'ptbxl', folds: [1, 2, 3, 4, 5, 6, 7] },
    });
    expect(evalPlan({ data: 'ptbxl', folds: '9,10', dataIsPtbxl: true }).probe!.folds).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('trains on all folds 1–8 of another folder, or on the folds given', () => {
    expect(evalPlan({ data: 'ptbxl', folds: '8', probeTrain: 'other', dataIsPtbxl: true }).probe).toEqual({
      data: 'other',
      folds: [1, 2, 3, 4, 5, 6, 7, 8],
    });
    const plan = evalPlan({
      data: 'cinc',
      folds: '8',
      probeTrain: 'ptbxl',
      probeFolds: '1,2',
      dataIsPtbxl: false,
    });
    expect(plan.probe).toEqual({ data: 'ptbxl', folds: [1, 2] });
  });

  it('gives a Challenge folder no probe unless --probe-train names one', () => {
    expect(evalPlan({ data: 'cinc', folds: '8', dataIsPtbxl: false }).probe).toBeNull();
    expect(() => evalPlan({ data: 'cinc', folds: '8', probeFolds: '1', dataIsPtbxl: false })).toThrow(
      /--probe-train/,
    );
  });

  it('refuses probe folds 9 and 10, and probe folds that are also evaluated in the same folder', () => {
    // Inputs tried: --probe-folds 9; --probe-folds 7,8 against --folds 8 of the same folder (also given
    // by a path that resolves to it).
    expect(() => evalPlan({ data: 'd', folds: '8', probeFolds: '9', dataIsPtbxl: true })).toThrow(
      /folds 9 and 10 are held out/,
    );
    expect(() => evalPlan({ data: 'd', folds: '8', probeFolds: '7,8', dataIsPtbxl: true })).toThrow(
      /--probe-folds 8 is also evaluated/,
    );
    expect(() =>
      evalPlan({ data: 'd', folds: '8', probeTrain: './d', probeFolds: '8', dataIsPtbxl: true }),
    ).toThrow(UsageError);
  });
});

describe('parseFolds', () => {
  it('reads a comma list and rejects what is not a fold', () => {
    expect(parseFolds('1, 2,2', '--folds', [1, 2, 3])).toEqual([1, 2]);
    expect(() => parseFolds('x', '--folds', [1, 2, 3])).toThrow(
      /--folds must list PTB-XL strat folds 1–3, got 'x'/,
    );
  });
});
