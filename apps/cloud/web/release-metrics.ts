/** A release's evaluation: headline figures, ROC curves per class, retrieval recall and training curves. */
import type { Recall, ReleaseDetail } from './api-types.js';
import { h } from './dom.js';
import { formatScore } from './format.js';
import { lineChart } from './line-chart.js';
import { parentComparison } from './parent-comparison.js';
import { rocOnGrid, trainingSeries, unitGrid } from './roc-grid.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

function figures(detail: ReleaseDetail): HTMLElement {
  const m = detail.metrics ?? {};
  const rows: [string, string][] = [
    ['Created', detail.created ?? '—'],
    ['Mode / preset', `${detail.mode ?? '—'} / ${detail.preset ?? '—'}`],
    ['Zero-shot macro AUROC', formatScore(m.zeroShot?.macroAuroc)],
    ['Zero-shot macro F1', formatScore(m.zeroShot?.macroF1)],
    [
      'Linear probe AUROC (1 % / 10 % / 100 % labels)',
      m.linearProbe
        ? [m.linearProbe.p1, m.linearProbe.p10, m.linearProbe.p100].map(formatScore).join(' / ')
        : '—',
    ],
  ];
  return h('dl', { class: 'details' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function recallTable(detail: ReleaseDetail): HTMLElement | null {
  const retrieval = detail.metrics?.retrieval;
  if (!retrieval) return null;
  const row = (name: string, r: Recall) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, name),
      ...[r.r1, r.r5, r.r10].map((v) => h('td', { class: 'num' }, formatScore(v))),
    );
  return h(
    'table',
    { class: 'recall' },
    h('caption', {}, 'Retrieval recall on held-out pairs'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Direction'),
        ...['R@1', 'R@5', 'R@10'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h('tbody', {}, row('report → ECG', retrieval.reportToEcg), row('ECG → report', retrieval.ecgToReport)),
  );
}

function rocChart(detail: ReleaseDetail): HTMLElement | null {
  const curves = Object.entries(detail.rocCurves);
  if (!curves.length) return null;
  const grid = unitGrid(100);
  return lineChart({
    title: 'Zero-shot ROC curves',
    description: `ROC curves of ${curves.length} classes: ${curves.map(([code, c]) => `${code} AUROC ${formatScore(c.auroc)}`).join(', ')}`,
    xLabel: 'false-positive rate',
    yLabel: 'true-positive rate',
    x: grid,
    yRange: [0, 1],
    stepped: true,
    series: curves.map(([code, curve], i) => ({
      label: `${code} (${formatScore(curve.auroc)})`,
      values: rocOnGrid(curve.fpr, curve.tpr, grid),
      colour: PALETTE[i % PALETTE.length]!,
    })),
  });
}

function trainingChart(detail: ReleaseDetail): HTMLElement | null {
  const log = detail.trainingLog;
  if (!log.length) return null;
  const { x, train, validation } = trainingSeries(log);
  return lineChart({
    title: 'Training curves (total loss)',
    description: `Total loss over ${x.length} epochs: training from ${formatScore(train[0])} to ${formatScore(train.at(-1))}`,
    xLabel: 'epoch',
    yLabel: 'loss',
    x,
    series: [
      { label: 'training', values: train, colour: PALETTE[0]! },
      { label: 'validation', values: validation, colour: PALETTE[1]!, dash: [6, 4] },
    ],
  });
}

/** Everything known about a release's quality, charts included. */
export function releaseMetrics(detail: ReleaseDetail): HTMLElement {
  const charts = [rocChart(detail), trainingChart(detail)].filter((c): c is HTMLElement => c !== null);
  return h(
    'div',
    { class: 'release-metrics', 'data-release': detail.id },
    figures(detail),
    parentComparison(detail),
    recallTable(detail),
    charts.length
      ? h('div', { class: 'charts' }, ...charts)
      : h('p', {}, 'No curves recorded for this release.'),
  );
}
