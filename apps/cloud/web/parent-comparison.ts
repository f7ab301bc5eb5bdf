/**
 * An align release beside its parent: the held-out figures both were scored on (the same pairs), side by
 * side, with the difference. The rollout gate compares the same two figures: a release worse than its
 * parent on either needs a forced rollout.
 */
import type { ReleaseDetail } from './api-types.js';
import { h } from './dom.js';
import { formatScore } from './format.js';

type Comparison = NonNullable<ReleaseDetail['parentComparison']>;

function delta(child: number | null, parent: number | null): string {
  if (child === null || parent === null) return '—';
  const d = child - parent;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`;
}

function row(name: string, child: number | null, parent: number | null): HTMLElement {
  const worse = child !== null && parent !== null && child < parent;
  return h(
    'tr',
    worse ? { class: 'worse' } : {},
    h('th', { scope: 'row' }, name),
    h('td', { class: 'num' }, formatScore(child)),
    h('td', { class: 'num' }, formatScore(parent)),
    h('td', { class: 'num' }, `${delta(child, parent)}${worse ? ' (worse)' : ''}`),
  );
}

/** The comparison table of an align release; for other releases a note, or nothing when not an align release. */
export function parentComparison(detail: ReleaseDetail): HTMLElement | null {
  if (detail.mode !== 'align') return null;
  const c: Comparison | null = detail.parentComparison;
  if (!c) {
    return h(
      'p',
      { class: 'warning' },
      'No held-out evaluation beside its parent is stored for this align release: it cannot be rolled out.',
    );
  }
  return h(
    'table',
    { class: 'recall parent-comparison' },
    h('caption', {}, `Beside its parent ${c.parent}, on the same ${c.heldOut ?? '?'} held-out pairs`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Figure', 'This release', 'Parent', 'Difference'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      row('report → ECG R@10', c.release.reportToEcgR10, c.parentFigures.reportToEcgR10),
      row('Zero-shot macro AUROC', c.release.zeroShotAuroc, c.parentFigures.zeroShotAuroc),
    ),
  );
}
