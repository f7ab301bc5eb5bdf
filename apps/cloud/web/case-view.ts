/**
 * One case: its details, the draft report and its sign-off, linked reports, zero-shot diagnosis, similar
 * cases, the reports most like it, and, where the cloud holds the raw ECG (imported datasets), the 12-lead
 * trace.
 */
import type { ApiClient } from './api-client.js';
import type { CaseDetail, Diagnosis, EcgHits, RecordHits, Waveform } from './api-types.js';
import { caseLink, linkedReport } from './cases-view.js';
import { h, replaceChildren } from './dom.js';
import { draftPanel } from './draft-panel.js';
import { ecgTraceCanvas } from './ecg-trace.js';
import { formatPercent, formatScore, formatTime, leadsInMask, UNKNOWN } from './format.js';
import { failurePanel, loadingPanel, unavailablePanel } from './panels.js';
import { probabilityBars } from './probability-bars.js';
import type { View } from './view.js';

/** Cases of these pseudo-devices were imported from a dataset folder, so their raw ECG is held. */
const DATASET_DEVICE = /^dataset-/;

function section(id: string, title: string, ...content: HTMLElement[]): HTMLElement {
  return h('section', { 'aria-labelledby': id, class: 'card' }, h('h2', { id }, title), ...content);
}

function details(detail: CaseDetail): HTMLElement {
  const rows: [string, string][] = [
    ['Recorded', formatTime(detail.t0)],
    ['Release', detail.release],
    ['Quality', formatPercent(detail.quality, 1)],
    ['Leads in use', detail.leadMask === null ? UNKNOWN : leadsInMask(detail.leadMask).join(', ') || 'none'],
    ['Patient', detail.patientId ?? UNKNOWN],
    ['Study', detail.studyId ?? UNKNOWN],
  ];
  return h('dl', { class: 'details' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function fill(target: HTMLElement, what: string, load: () => Promise<HTMLElement[]>): Promise<void> {
  try {
    replaceChildren(target, ...(await load()));
  } catch (error) {
    replaceChildren(target, failurePanel(what, error));
  }
}

async function trace(api: ApiClient, path: string, target: HTMLElement): Promise<HTMLElement[]> {
  const waveform = await api.get<Waveform>(`${path}/waveform`);
  const canvas = ecgTraceCanvas(waveform, Math.max(640, Math.min(1400, target.clientWidth || 1000)));
  return [
    h(
      'figure',
      { class: 'ecg', 'data-plotted': 'true' },
      canvas,
      h(
        'figcaption',
        {},
        `${waveform.leads.length} leads at ${waveform.fs} Hz · 25 mm/s · 10 mm/${waveform.units}` +
          (waveform.units === 'NU'
            ? ' (normalised units: the source z-scored each lead; not millivolts)'
            : ''),
      ),
    ),
  ];
}

/** The page of case (`deviceId`, `seq`). */
export function caseView(deviceId: string, seq: number): View {
  return (main, { api, role }) => {
    const path = `/cases/${encodeURIComponent(deviceId)}/${seq}`;
    const summary = h('div', {}, loadingPanel('the case'));
    const diagnosis = h('div', { class: 'diagnosis' }, loadingPanel('the diagnosis'));
    const ecg = h('div', { class: 'trace' }, loadingPanel('the trace'));
    const caseDetail = api.get<CaseDetail>(path);
    const similar = h('div', {}, loadingPanel('similar cases'));
    const reports = h('div', {}, loadingPanel('matching reports'));
    replaceChildren(
      main,
      h('h1', { tabindex: -1 }, `Case ${deviceId} #${seq}`),
      section('case-details', 'Details', summary),
      section(
        'case-draft',
        'Draft report',
        // As the worklist: an imported dataset ECG comes with its own report and awaits none.
        DATASET_DEVICE.test(deviceId)
          ? unavailablePanel(
              'Draft report',
              'imported dataset cases come with their reports; drafts are for device cases.',
            )
          : draftPanel(
              api,
              deviceId,
              seq,
              role,
              caseDetail.then((d) => d.signedOff),
            ),
      ),
      section('case-diagnosis', 'Zero-shot diagnosis', diagnosis),
      section('case-trace', '12-lead ECG', ecg),
      section('case-similar', 'Similar cases', similar),
      section('case-reports', 'Reports most like this ECG', reports),
    );
    void fill(summary, 'Reading the case', async () => {
      const detail = await caseDetail;
      return [
        details(detail),
        h('h3', {}, 'Linked reports'),
        ...(detail.records.length
          ? detail.records.map((record) => linkedReport({ ...detail, records: [record] }))
          : [linkedReport(detail)]),
      ];
    });
    void fill(diagnosis, 'Zero-shot diagnosis', async () => {
      const [superclass, rhythm] = await Promise.all(
        ['superclass', 'rhythm'].map((set) => api.get<Diagnosis>(`${path}/diagnosis?set=${set}`)),
      );
      return [
        probabilityBars('Diagnostic superclass', superclass!.classes),
        probabilityBars('Rhythm (top 5)', rhythm!.classes, 5),
      ];
    });
    if (DATASET_DEVICE.test(deviceId)) void fill(ecg, 'The 12-lead trace', () => trace(api, path, ecg));
    else
      replaceChildren(
        ecg,
        unavailablePanel(
          '12-lead trace',
          'the raw ECG of a device case never leaves the device; traces are shown for imported datasets.',
        ),
      );
    void fill(similar, 'Similar cases', async () => {
      const { hits } = await api.get<EcgHits>(`${path}/similar?k=8`);
      if (!hits.length) return [h('p', {}, 'No similar cases yet.')];
      return [
        h(
          'ol',
          { class: 'similar' },
          ...hits.map((hit) => h('li', {}, caseLink(hit), ` · score ${formatScore(hit.score)}`)),
        ),
      ];
    });
    void fill(reports, 'Matching reports', async () => {
      const { hits } = await api.get<RecordHits>(`${path}/reports?k=5`);
      return [
        h(
          'ol',
          { class: 'reports' },
          ...hits.map((r) =>
            h('li', {}, h('q', {}, r.text), ` (${r.codes.join(', ')}) · score ${formatScore(r.score)}`),
          ),
        ),
      ];
    });
    return () => {};
  };
}
