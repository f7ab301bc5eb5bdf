/**
 * Training jobs: the list with live progress (followed over Server-Sent Events, falling back to polling),
 * the align-job proposal after enough sign-offs, and for operators a form to start a job and a button to
 * cancel one.
 */
import { alignProposal } from './align-proposal.js';
import { ApiError } from './api-client.js';
import type { Job, JobCreated, JobList, JobProgress } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { formatTime, progressFraction, UNKNOWN } from './format.js';
import { failurePanel, loadingPanel, unavailablePanel } from './panels.js';
import { canOperate, poll, type ViewContext } from './view.js';

const POLL_MS = 3000;
const ACTIVE = new Set(['queued', 'running']);

function progressText(progress: JobProgress | null): string {
  if (!progress) return UNKNOWN;
  const count = progress.total > 0 ? ` ${progress.done}/${progress.total}` : '';
  return `${progress.stage}${count}${progress.detail ? ` · ${progress.detail}` : ''}`;
}

/** Options of {@link jobsPanel}. */
export interface JobsPanelOptions {
  readonly context: ViewContext;
  /** Release ids an `align` job may start from (the newest last). */
  readonly releaseIds: () => readonly string[];
  /** Told when a job has finished (a new release may be live). */
  readonly onFinished: () => void;
  /** Where action results are announced. */
  readonly announce: (message: string) => void;
}

/** The jobs section's content and a function stopping its polling and event streams. */
export function jobsPanel({ context, releaseIds, onFinished, announce }: JobsPanelOptions): {
  element: HTMLElement;
  stop: () => void;
} {
  const { api, role } = context;
  const jobs = new Map<string, Job>();
  const streams = new Map<string, { close(): void }>();
  const list = h('div', {}, loadingPanel('training jobs'));
  const element = h('div', { class: 'jobs' });
  let signature = '';
  let missing = false;

  const progressCell = (job: Job) =>
    h(
      'td',
      { class: 'progress' },
      h('progress', {
        max: 1,
        value: progressFraction(job.progress),
        'aria-label': `Progress of job ${job.id}`,
      }),
      h('span', { class: 'progress-text' }, ` ${progressText(job.progress)}`),
    );

  const row = (job: Job) =>
    h(
      'tr',
      { 'data-job': job.id, 'data-status': job.status },
      h('th', { scope: 'row' }, job.id),
      h('td', {}, job.kind),
      h('td', { class: 'status' }, h('span', { class: `badge ${job.status}` }, job.status)),
      progressCell(job),
      h('td', { class: 'release' }, job.release ?? (job.error ? `error: ${job.error}` : UNKNOWN)),
      h('td', {}, formatTime(job.created)),
      canOperate(role) ? h('td', {}, ACTIVE.has(job.status) ? cancelButton(job) : null) : null,
    );

  const cancelButton = (job: Job) => {
    const button = h('button', { type: 'button', class: 'secondary' }, 'Cancel job');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api.delete(`/jobs/${encodeURIComponent(job.id)}`);
        announce(`Job ${job.id} cancelled.`);
      } catch (error) {
        announce(
          `Cancelling job ${job.id} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        button.disabled = false;
      }
    });
    return button;
  };

  const render = () => {
    const sorted = [...jobs.values()].sort((a, b) => b.created.localeCompare(a.created));
    const headers = [
      'Job',
      'Kind',
      'Status',
      'Progress',
      'Release',
      'Created',
      ...(canOperate(role) ? ['Actions'] : []),
    ];
    replaceChildren(
      list,
      sorted.length
        ? h(
            'table',
            { class: 'jobs-table' },
            h('caption', {}, 'Training jobs, newest first'),
            h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...sorted.map(row)),
          )
        : h('p', {}, 'No training jobs yet.'),
    );
  };

  const update = (job: Job) => {
    const before = jobs.get(job.id);
    jobs.set(job.id, job);
    const tr = list.querySelector<HTMLTableRowElement>(`tr[data-job="${CSS.escape(job.id)}"]`);
    if (tr && before?.status === job.status) tr.querySelector('td.progress')?.replaceWith(progressCell(job));
    else render();
    if (before && ACTIVE.has(before.status) && !ACTIVE.has(job.status)) {
      announce(`Job ${job.id} ${job.status}${job.release ? `: release ${job.release}` : ''}.`);
      onFinished();
    }
  };

  const follow = (id: string) => {
    if (streams.has(id)) return;
    const source = new EventSource(api.eventsUrl(`/jobs/${encodeURIComponent(id)}/events`));
    streams.set(id, source);
    const current = () => jobs.get(id);
    const finish = (status: Job['status'], patch: Partial<Job>) => {
      source.close();
      const job = current();
      if (job) update({ ...job, ...patch, status });
    };
    source.addEventListener('progress', (event) => {
      const job = current();
      if (job)
        update({
          ...job,
          status: 'running',
          progress: JSON.parse((event as MessageEvent<string>).data) as JobProgress,
        });
    });
    source.addEventListener('epoch', (event) => {
      const epoch = JSON.parse((event as MessageEvent<string>).data) as {
        epoch: number;
        train?: { total?: number };
      };
      const job = current();
      if (job?.progress)
        update({
          ...job,
          progress: {
            ...job.progress,
            detail: `epoch ${epoch.epoch}, loss ${epoch.train?.total?.toFixed(3) ?? '—'}`,
          },
        });
    });
    source.addEventListener('done', (event) => {
      const { release } = JSON.parse((event as MessageEvent<string>).data) as { release: string };
      finish('succeeded', { release });
    });
    source.addEventListener('failed', (event) => {
      const { error } = JSON.parse((event as MessageEvent<string>).data) as { error: string };
      finish('failed', { error });
    });
    source.addEventListener('cancelled', () => finish('cancelled', {}));
    // No stream (endpoint missing or refused): the list poll keeps the job up to date instead.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) streams.set(id, { close() {} });
    };
  };

  const refresh = async () => {
    if (missing) return;
    void proposal.refresh();
    try {
      const { jobs: listed } = await api.get<JobList>('/jobs');
      const next = listed.map((j) => `${j.id}:${j.status}:${j.release}`).join('|');
      for (const job of listed) {
        const known = jobs.get(job.id);
        // A streamed progress is fresher than the list's, unless the list says the job has ended.
        if (known && streams.has(job.id) && known.status === job.status) continue;
        jobs.set(job.id, job);
        if (known && ACTIVE.has(known.status) && !ACTIVE.has(job.status)) onFinished();
      }
      if (next !== signature || !list.querySelector('table, p')) {
        signature = next;
        render();
      }
      for (const job of listed) if (ACTIVE.has(job.status)) follow(job.id);
    } catch (error) {
      if (error instanceof ApiError && error.notFound) {
        missing = true;
        replaceChildren(element, unavailablePanel('Training jobs'));
      } else replaceChildren(list, failurePanel('Reading training jobs', error));
    }
  };

  const proposal = alignProposal({ context, announce, onStarted: () => void refresh() });
  element.append(proposal.element);
  if (canOperate(role)) element.append(startForm());
  element.append(list);
  const stopPolling = poll(refresh, POLL_MS);

  function startForm(): HTMLElement {
    const kind = h(
      'select',
      { id: 'job-kind', name: 'kind' },
      h('option', { value: 'pretrain' }, 'pretrain'),
      h('option', { value: 'align' }, 'align'),
    );
    const preset = h(
      'select',
      { id: 'job-preset', name: 'preset' },
      ...['tiny', 'demo', 'real'].map((p) => h('option', { value: p }, p)),
    );
    const steps = h('input', {
      id: 'job-steps',
      name: 'steps',
      type: 'number',
      min: 1,
      step: 1,
      inputmode: 'numeric',
    });
    const parent = h('select', { id: 'job-parent', name: 'parent', disabled: true });
    kind.addEventListener('change', () => {
      parent.disabled = kind.value !== 'align';
      replaceChildren(parent, ...[...releaseIds()].reverse().map((id) => h('option', { value: id }, id)));
    });
    const submit = h('button', { type: 'submit' }, 'Start training job');
    const form = h(
      'form',
      { class: 'job-form' },
      h(
        'fieldset',
        {},
        h('legend', {}, 'Start a training job'),
        h('label', { for: 'job-kind' }, 'Kind'),
        kind,
        h('label', { for: 'job-preset' }, 'Preset'),
        preset,
        h('label', { for: 'job-steps' }, 'Steps (optional)'),
        steps,
        h('label', { for: 'job-parent' }, 'Parent release (align)'),
        parent,
        submit,
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        const body = {
          kind: kind.value,
          preset: preset.value,
          ...(steps.value ? { steps: Number(steps.value) } : {}),
          ...(kind.value === 'align' && parent.value ? { parent: parent.value } : {}),
        };
        const { id } = await api.post<JobCreated>('/jobs', body);
        announce(`Job ${id} started (${kind.value}, preset ${preset.value}).`);
        await refresh();
      } catch (error) {
        announce(
          `Starting the job failed: ${error instanceof ApiError ? `${error.code}: ${error.message}` : String(error)}`,
        );
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  return {
    element,
    stop: () => {
      stopPolling();
      for (const stream of streams.values()) stream.close();
    },
  };
}
