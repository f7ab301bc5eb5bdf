/**
 * Cases: free-text search over stored ECGs (e.g. "inferior infarction with atrial fibrillation") with
 * scores, each hit's linked report and zero-shot diagnosis bars, and the most recent cases.
 */
import type { ApiClient } from './api-client.js';
import type { CaseDetail, CaseList, Diagnosis, EcgHit, EcgHits } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { formatScore, formatTime } from './format.js';
import { failurePanel, loadingPanel } from './panels.js';
import { probabilityBars } from './probability-bars.js';
import { routeHash } from './router.js';
import type { View } from './view.js';

/** Hits asked for per search. */
const SEARCH_K = 10;
/** Recent cases listed under the search. */
const RECENT_K = 15;

/** A link to a case page. */
export function caseLink(hit: { deviceId: string; seq: number }): HTMLAnchorElement {
  return h(
    'a',
    { href: routeHash({ page: 'case', deviceId: hit.deviceId, seq: hit.seq }) },
    `${hit.deviceId} #${hit.seq}`,
  );
}

/** The linked report of a case, or a note that none is linked. */
export function linkedReport(detail: CaseDetail): HTMLElement {
  const record = detail.records[0];
  if (!record) return h('p', { class: 'report none' }, 'No linked report.');
  return h(
    'p',
    { class: 'report', 'data-codes': record.codes.join(' ') },
    h('span', { class: 'label' }, 'Linked report: '),
    h('q', {}, record.text),
    record.codes.length ? h('span', { class: 'codes' }, ` (${record.codes.join(', ')})`) : null,
  );
}

function hitItem(api: ApiClient, hit: EcgHit, rank: number): HTMLElement {
  const report = h('div', {}, loadingPanel('the linked report'));
  const bars = h('div', {});
  const path = `/cases/${encodeURIComponent(hit.deviceId)}/${hit.seq}`;
  api.get<CaseDetail>(path).then(
    (detail) => replaceChildren(report, linkedReport(detail)),
    (error: unknown) => replaceChildren(report, failurePanel('The linked report', error)),
  );
  api.get<Diagnosis>(`${path}/diagnosis?set=superclass`).then(
    (diagnosis) => replaceChildren(bars, probabilityBars('Zero-shot diagnosis', diagnosis.classes, 5)),
    (error: unknown) => replaceChildren(bars, failurePanel('Zero-shot diagnosis', error)),
  );
  return h(
    'li',
    { class: 'hit', 'data-device': hit.deviceId, 'data-seq': hit.seq, 'data-rank': rank },
    h('h3', {}, caseLink(hit)),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: 'score' }, `score ${formatScore(hit.score)}`),
      ` · ${formatTime(hit.t0)} · release ${hit.release}`,
    ),
    report,
    bars,
  );
}

async function search(api: ApiClient, text: string, results: HTMLElement): Promise<void> {
  replaceChildren(results, loadingPanel('matching cases'));
  try {
    const { hits } = await api.get<EcgHits>(
      `/search/ecgs?${new URLSearchParams({ text, k: String(SEARCH_K) })}`,
    );
    replaceChildren(
      results,
      h('p', { role: 'status' }, `${hits.length} cases match “${text}”, best first.`),
      h('ol', { class: 'hits' }, ...hits.map((hit, i) => hitItem(api, hit, i + 1))),
    );
  } catch (error) {
    replaceChildren(results, failurePanel('Search', error));
  }
}

async function recent(api: ApiClient, list: HTMLElement): Promise<void> {
  try {
    const { cases } = await api.get<CaseList>(`/cases?k=${RECENT_K}`);
    replaceChildren(
      list,
      cases.length
        ? h(
            'ul',
            { class: 'recent' },
            ...cases.map((c) => h('li', {}, caseLink(c), ` · ${formatTime(c.t0)}`)),
          )
        : h('p', {}, 'No cases stored yet.'),
    );
  } catch (error) {
    replaceChildren(list, failurePanel('Recent cases', error));
  }
}

/** The cases page; `query` (from the hash) runs at once. */
export function casesView(query: string): View {
  return (main, { api }) => {
    const input = h('input', {
      id: 'case-search',
      name: 'q',
      type: 'search',
      required: true,
      autocomplete: 'off',
      placeholder: 'e.g. inferior infarction with atrial fibrillation',
      value: query,
    });
    const results = h('div', { class: 'results' });
    const form = h(
      'form',
      { role: 'search', class: 'search' },
      h('label', { for: 'case-search' }, 'Search cases by description'),
      h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Search')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      // pushState (not a hash assignment) keeps this page and its focus; Back still returns here.
      history.pushState(null, '', routeHash({ page: 'cases', query: text }));
      void search(api, text, results);
    });
    const recentList = h('div', {}, loadingPanel('recent cases'));
    replaceChildren(
      main,
      h('h1', { tabindex: -1 }, 'Cases'),
      form,
      h(
        'section',
        { 'aria-labelledby': 'results-title' },
        h('h2', { id: 'results-title' }, 'Results'),
        results,
      ),
      h(
        'section',
        { 'aria-labelledby': 'recent-title' },
        h('h2', { id: 'recent-title' }, 'Recent cases'),
        recentList,
      ),
    );
    if (query) void search(api, query, results);
    else replaceChildren(results, h('p', {}, 'Describe a finding to find matching ECGs.'));
    void recent(api, recentList);
    return () => {};
  };
}
