/**
 * The worklist: device cases no clinician has signed off yet, the ones the model is least sure of first
 * (small zero-shot margin, far from every stored report), each linking to its case page.
 */
import type { ApiClient } from './api-client.js';
import type { WorklistItem } from './api-types.js';
import { caseLink } from './cases-view.js';
import { h, replaceChildren } from './dom.js';
import { formatScore, formatTime, UNKNOWN } from './format.js';
import { failurePanel, loadingPanel } from './panels.js';
import type { View } from './view.js';

/** Cases listed. */
const WORKLIST_K = 50;

function row(item: WorklistItem, rank: number): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-device': item.deviceId, 'data-seq': item.seq, 'data-rank': rank },
    h('td', { class: 'num' }, rank),
    h('td', {}, caseLink(item)),
    h('td', {}, formatTime(item.t0)),
    h('td', {}, item.topClass ?? UNKNOWN),
    h('td', { class: 'num' }, formatScore(item.margin)),
    h('td', { class: 'num' }, formatScore(item.oodDistance)),
    h('td', { class: 'num' }, formatScore(item.uncertainty)),
    h('td', {}, item.release),
  );
}

async function load(api: ApiClient, target: HTMLElement): Promise<void> {
  try {
    const { cases } = await api.get<{ cases: WorklistItem[] }>(`/worklist?k=${WORKLIST_K}`);
    if (!cases.length) {
      replaceChildren(target, h('p', { role: 'status' }, 'No unsigned device cases.'));
      return;
    }
    const headings = [
      '#',
      'Case',
      'Recorded',
      'Top class',
      'Margin',
      'OOD distance',
      'Uncertainty',
      'Release',
    ];
    replaceChildren(
      target,
      h(
        'table',
        { class: 'worklist' },
        h('caption', {}, `${cases.length} unsigned device cases, most unsure first`),
        h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...cases.map((item, i) => row(item, i + 1))),
      ),
    );
  } catch (error) {
    replaceChildren(target, failurePanel('The worklist', error));
  }
}

/** The worklist page. */
export const worklistView: View = (main, { api }) => {
  const list = h('div', {}, loadingPanel('the worklist'));
  replaceChildren(
    main,
    h('h1', { tabindex: -1 }, 'Worklist'),
    h(
      'p',
      { class: 'intro' },
      'Margin: top minus second zero-shot class probability (small: unsure). OOD distance: 1 − cosine ' +
        'to the nearest stored report. Uncertainty: the mean of both, which orders the list.',
    ),
    list,
  );
  void load(api, list);
  return () => {};
};
