import { describe, expect, it } from 'vitest';
import { clinicianLoopSvg, type LoopCheckpoint } from './clinician-loop-chart.js';

const ci = (low: number, high: number) => ({ low, high });
const checkpoints: LoopCheckpoint[] = [
  {
    signOffs: 0,
    zeroShotAuroc: 0.802,
    zeroShotAurocCi: ci(0.722, 0.878),
    reportToEcgR10: 0.717,
    reportToEcgR10Ci: ci(0.604, 0.83),
  },
  {
    signOffs: 25,
    zeroShotAuroc: 0.774,
    zeroShotAurocCi: ci(0.683, 0.865),
    reportToEcgR10: 0.792,
    reportToEcgR10Ci: ci(0.679, 0.887),
    control: {
      zeroShotAuroc: 0.6,
      zeroShotAurocCi: ci(0.494, 0.696),
      reportToEcgR10: 0.679,
      reportToEcgR10Ci: ci(0.547, 0.811),
    },
  },
];

const seriesNames = (svg: string) =>
  [...svg.matchAll(/class="series" data-name="([^"]+)"/g)].map((m) => m[1]);

describe('clinicianLoopSvg', () => {
  it('plots AUROC and R@10 with their intervals, and the control chain from the base release', () => {
    const svg = clinicianLoopSvg(checkpoints, 53);
    expect(seriesNames(svg)).toEqual([
      'zero-shot macro AUROC',
      'report→ECG R@10',
      'control (no signed pairs): AUROC',
      'control (no signed pairs): R@10',
    ]);
    expect(svg).toContain('(53 ECGs)');
    // 2 checkpoints × 2 figures, plus the control's 2 points × 2 figures, each with an interval.
    expect(svg.match(/class="interval"/g)).toHaveLength(8);
    expect(svg.match(/class="line"/g)).toHaveLength(4);
    expect(svg).toMatch(/>25<\/text>/);
  });

  it('leaves the control out when the series has none, and skips a missing R@10', () => {
    const svg = clinicianLoopSvg([{ ...checkpoints[0]!, reportToEcgR10: null, reportToEcgR10Ci: null }]);
    expect(seriesNames(svg)).toEqual(['zero-shot macro AUROC', 'report→ECG R@10']);
    expect(svg.match(/class="point"/g)).toHaveLength(1);
  });
});
