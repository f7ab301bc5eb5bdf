import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { alignComparison, checkAlignRollout, regressions } from './align-comparison.js';

/** metrics.json of an align release as the trainer writes it (only the fields read here). */
function alignMetrics(
  child: { auroc: number | null; r10: number },
  parent: { auroc: number | null; r10: number },
) {
  const report = (f: { auroc: number | null; r10: number }) => ({
    n: 40,
    zeroShot: f.auroc === null ? null : { macroAuroc: f.auroc },
    retrieval: { reportToEcg: { r1: 0.1, r5: 0.2, r10: f.r10 } },
  });
  return { validation: report(child), parent: { id: 'p1', validation: report(parent) }, training: {} };
}

const align = { mode: 'align', parent: 'p1' };

describe('alignComparison', () => {
  it('reads the held-out figures of the release and its parent', () => {
    expect(alignComparison(alignMetrics({ auroc: 0.8, r10: 0.5 }, { auroc: 0.7, r10: 0.4 }))).toEqual({
      parent: 'p1',
      heldOut: 40,
      release: { zeroShotAuroc: 0.8, reportToEcgR10: 0.5 },
      parentFigures: { zeroShotAuroc: 0.7, reportToEcgR10: 0.4 },
    });
  });

  it('is null without the parent evaluation or without retrieval', () => {
    expect(alignComparison(undefined)).toBeNull();
    expect(alignComparison({ validation: { retrieval: { reportToEcg: { r10: 0.5 } } } })).toBeNull();
    const noRetrieval = alignMetrics({ auroc: 0.8, r10: 0.5 }, { auroc: 0.7, r10: 0.4 });
    expect(alignComparison({ ...noRetrieval, validation: { n: 40 } })).toBeNull();
  });

  it('names the figures on which the release is worse, and ignores those one side lacks', () => {
    const c = alignComparison(alignMetrics({ auroc: 0.6, r10: 0.3 }, { auroc: 0.7, r10: 0.4 }));
    expect(regressions(c!)).toEqual([
      'report→ECG R@10 (0.300 < 0.400)',
      'zero-shot macro AUROC (0.600 < 0.700)',
    ]);
    const noCodes = alignComparison(alignMetrics({ auroc: null, r10: 0.5 }, { auroc: 0.7, r10: 0.4 }));
    expect(regressions(noCodes!)).toEqual([]);
  });
});

describe('checkAlignRollout', () => {
  it('lets pretrained releases through whatever their metrics', () => {
    expect(() => checkAlignRollout('r1', { mode: 'pretrain' }, undefined, false)).not.toThrow();
  });

  it('refuses an align release without its held-out evaluation, even forced', () => {
    for (const force of [false, true]) {
      expect(() => checkAlignRollout('a1', align, undefined, force)).toThrow(ConflictError);
      expect(() => checkAlignRollout('a1', align, { validation: {} }, force)).toThrow(
        /no held-out evaluation/,
      );
    }
  });

  it('refuses an align release worse than its parent unless forced', () => {
    const worse = alignMetrics({ auroc: 0.75, r10: 0.3 }, { auroc: 0.7, r10: 0.4 });
    expect(() => checkAlignRollout('a1', align, worse, false)).toThrow(
      /worse than its parent p1.*R@10.*"force": true/,
    );
    expect(() => checkAlignRollout('a1', align, worse, true)).not.toThrow();
  });

  it('lets an align release as good as its parent or better through', () => {
    const same = alignMetrics({ auroc: 0.7, r10: 0.4 }, { auroc: 0.7, r10: 0.4 });
    expect(() => checkAlignRollout('a1', align, same, false)).not.toThrow();
  });
});
