/** Zero-shot diagnosis as horizontal bars, one per class, most likely first. */
import { h } from './dom.js';
import { formatPercent } from './format.js';

/** Bars for `classes` (probabilities 0–1), labelled for screen readers as a list of values. */
export function probabilityBars(
  title: string,
  classes: readonly { code: string; probability: number }[],
  limit = classes.length,
): HTMLElement {
  const shown = [...classes].sort((a, b) => b.probability - a.probability).slice(0, limit);
  return h(
    'figure',
    { class: 'bars' },
    h('figcaption', {}, title),
    h(
      'ul',
      {},
      ...shown.map((c) =>
        h(
          'li',
          { 'data-class': c.code },
          h('span', { class: 'bar-label' }, c.code),
          h(
            'span',
            { class: 'bar-track', 'aria-hidden': 'true' },
            h('span', { class: 'bar-fill', style: `width:${(c.probability * 100).toFixed(1)}%` }),
          ),
          h('span', { class: 'bar-value' }, formatPercent(c.probability, 1)),
        ),
      ),
    ),
  );
}
