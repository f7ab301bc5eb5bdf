import { describe, expect, it } from 'vitest';
import { numberSeries, parseTrainingLog, splitRocCurves } from './release-details.js';

describe('numberSeries', () => {
  it('reads arrays and the index-keyed objects JSON makes of typed arrays', () => {
    expect(numberSeries([0, 0.5, 1])).toEqual([0, 0.5, 1]);
    expect(numberSeries(JSON.parse(JSON.stringify(new Float64Array([0, 0.25, 1]))))).toEqual([0, 0.25, 1]);
  });

  it('refuses gaps and non-numbers', () => {
    expect(numberSeries({ 0: 0, 2: 1 })).toBeUndefined();
    expect(numberSeries([0, null])).toBeUndefined();
    expect(numberSeries('0,1')).toBeUndefined();
  });
});

describe('splitRocCurves', () => {
  it('moves each class curve out of the report', () => {
    const report = JSON.parse(
      JSON.stringify({
        n: 4,
        zeroShot: {
          macroAuroc: 0.75,
          perClass: {
            NORM: {
              auroc: 0.75,
              f1: 0.5,
              roc: {
                fpr: new Float64Array([0, 0.5, 1]),
                tpr: new Float64Array([0, 1, 1]),
                thresholds: new Float64Array([Number.POSITIVE_INFINITY, 0.3, 0.1]),
              },
            },
            MI: { auroc: null, f1: 0 },
          },
        },
      }),
    );
    const { metrics, rocCurves } = splitRocCurves(report);
    expect(rocCurves).toEqual({ NORM: { fpr: [0, 0.5, 1], tpr: [0, 1, 1], auroc: 0.75 } });
    expect(metrics['n']).toBe(4);
    const perClass = (metrics['zeroShot'] as { perClass: Record<string, Record<string, unknown>> }).perClass;
    expect(perClass['NORM']).toEqual({ auroc: 0.75, f1: 0.5 });
    expect(perClass['MI']).toEqual({ auroc: null, f1: 0 });
  });

  it('gives no curves for a report without zero-shot classes', () => {
    expect(splitRocCurves({ n: 1 }).rocCurves).toEqual({});
  });
});

describe('parseTrainingLog', () => {
  it('keeps JSON object lines and skips a line cut short', () => {
    const text = '{"epoch":1,"train":{"total":2}}\n\n{"epoch":2,"train":{"total":1.5}}\n{"epoch":3,"tr';
    expect(parseTrainingLog(text)).toEqual([
      { epoch: 1, train: { total: 2 } },
      { epoch: 2, train: { total: 1.5 } },
    ]);
  });
});
