/**
 * The clinician-loop benchmark's learning curve as SVG: held-out zero-shot macro AUROC and report→ECG
 * R@10 (with their 95 % intervals) against the number of sign-offs, and the control chain (the same align
 * jobs without signed pairs) dashed when the series has it. The control chain starts from the base
 * release, so its first point is the base release's.
 */

import { type ChartPoint, type ChartSeries, svgLineChart } from './svg-line-chart.js';

interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Held-out figures of one release, as the benchmark records them. */
export interface HeldOutFigures {
  readonly zeroShotAuroc: number;
  readonly zeroShotAurocCi: Interval | null;
  readonly reportToEcgR10: number | null;
  readonly reportToEcgR10Ci: Interval | null;
}

/** One checkpoint of the series (clinician-loop.json `checkpoints[]`). */
export interface LoopCheckpoint extends HeldOutFigures {
  readonly signOffs: number;
  readonly control?: HeldOutFigures;
}

const auroc = (x: number, f: HeldOutFigures): ChartPoint => ({
  x,
  y: f.zeroShotAuroc,
  low: f.zeroShotAurocCi?.low ?? null,
  high: f.zeroShotAurocCi?.high ?? null,
});
const r10 = (x: number, f: HeldOutFigures): ChartPoint => ({
  x,
  y: f.reportToEcgR10,
  low: f.reportToEcgR10Ci?.low ?? null,
  high: f.reportToEcgR10Ci?.high ?? null,
});

/** The chart of `checkpoints` (in sign-off order) as an SVG document. */
export function clinicianLoopSvg(checkpoints: readonly LoopCheckpoint[], heldOut?: number): string {
  const sorted = [...checkpoints].sort((a, b) => a.signOffs - b.signOffs);
  const series: ChartSeries[] = [
    { name: 'zero-shot macro AUROC', color: '#1f77b4', points: sorted.map((c) => auroc(c.signOffs, c)) },
    { name: 'report→ECG R@10', color: '#d62728', points: sorted.map((c) => r10(c.signOffs, c)) },
  ];
  const controlled = sorted.filter((c) => c.control);
  if (controlled.length > 0) {
    const start = sorted[0]!.signOffs < controlled[0]!.signOffs ? [sorted[0]!] : [];
    const chain = [
      ...start.map((c) => ({ x: c.signOffs, f: c as HeldOutFigures })),
      ...controlled.map((c) => ({ x: c.signOffs, f: c.control! })),
    ];
    series.push(
      {
        name: 'control (no signed pairs): AUROC',
        color: '#6baed6',
        dashed: true,
        points: chain.map(({ x, f }) => auroc(x, f)),
      },
      {
        name: 'control (no signed pairs): R@10',
        color: '#fc9272',
        dashed: true,
        points: chain.map(({ x, f }) => r10(x, f)),
      },
    );
  }
  return svgLineChart({
    title: `Clinician loop: held-out figures${heldOut ? ` (${heldOut} ECGs)` : ''} against sign-offs, 95 % intervals`,
    xLabel: 'sign-offs',
    yLabel: 'held-out score',
    xTicks: sorted.map((c) => c.signOffs),
    series,
  });
}
