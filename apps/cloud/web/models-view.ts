/**
 * Models: channels and what they carry, releases with their metrics, training jobs, and for operators
 * the rollout controls (roll out to canary or stable, roll a channel back).
 */
import { ApiError } from './api-client.js';
import type { ChannelEventList, ReleaseDetail, ReleaseList, ReleaseSummary } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { formatTime } from './format.js';
import { jobsPanel } from './jobs-panel.js';
import { failurePanel, loadingPanel, unavailablePanel } from './panels.js';
import { releaseMetrics } from './release-metrics.js';
import { canOperate, poll, type View, type ViewContext } from './view.js';

const POLL_MS = 3000;
/** Channels an operator can roll a release out to from this page. */
const ROLLOUT_CHANNELS = ['canary', 'stable'] as const;

function section(id: string, title: string, ...content: HTMLElement[]): HTMLElement {
  return h('section', { 'aria-labelledby': id, class: 'card' }, h('h2', { id }, title), ...content);
}

/** The models page. */
export const modelsView: View = (main, context) => {
  const { api, role } = context;
  const operator = canOperate(role);
  const status = h('p', { class: 'announce', role: 'status', 'aria-live': 'polite' });
  const announce = (message: string) => {
    status.textContent = message;
  };
  const channels = h('div', {}, loadingPanel('channels'));
  const events = h('div', {});
  const releases = h('div', {}, loadingPanel('releases'));
  let catalog: ReleaseList = { releases: [], channels: [] };
  let signature = '';
  const expanded = new Set<string>();
  /**
   * Rolls a release out; when the cloud refuses an align release for being worse than its parent on the
   * held-out pairs (409 naming "force"), the operator sees why and may publish it anyway.
   */
  const rollOut = async (id: string, channel: string): Promise<unknown> => {
    const path = `/releases/${encodeURIComponent(id)}/rollout`;
    try {
      return await api.post(path, { channel });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409 || !error.message.includes('"force"'))
        throw error;
      if (!window.confirm(`${error.message}\n\nRoll it out to ${channel} anyway?`)) throw error;
      return api.post(path, { channel, force: true });
    }
  };

  const refresh = async () => {
    try {
      const next = await api.get<ReleaseList>('/releases');
      const nextSignature = JSON.stringify([next.releases, next.channels.map((c) => [c.channel, c.release])]);
      catalog = next;
      if (nextSignature === signature) return;
      signature = nextSignature;
      // Re-rendering replaces the buttons: put focus back on the same control afterwards.
      const focusKey = (document.activeElement as HTMLElement | null)?.dataset?.['focusKey'];
      renderChannels();
      renderReleases();
      void loadEvents();
      if (focusKey) main.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    } catch (error) {
      replaceChildren(releases, failurePanel('Reading releases', error));
    }
  };

  const act = async (button: HTMLButtonElement, what: string, call: () => Promise<unknown>) => {
    button.disabled = true;
    try {
      await call();
      announce(`${what}: done.`);
      signature = '';
      await refresh();
    } catch (error) {
      announce(
        `${what} failed: ${error instanceof ApiError ? `${error.code}: ${error.message}` : String(error)}`,
      );
    } finally {
      button.disabled = false;
    }
  };

  const actionButton = (label: string, focusKey: string, what: string, call: () => Promise<unknown>) => {
    const button = h('button', { type: 'button', 'data-focus-key': focusKey }, label);
    button.addEventListener('click', () => void act(button, what, call));
    return button;
  };

  function renderChannels() {
    if (!catalog.channels.length) {
      replaceChildren(channels, h('p', {}, 'No release has been rolled out yet.'));
      return;
    }
    replaceChildren(
      channels,
      h(
        'table',
        { class: 'channels' },
        h('caption', {}, 'What each channel carries'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Channel'),
            h('th', { scope: 'col' }, 'Release'),
            operator ? h('th', { scope: 'col' }, 'Actions') : null,
          ),
        ),
        h(
          'tbody',
          {},
          ...catalog.channels.map((c) =>
            h(
              'tr',
              { 'data-channel': c.channel },
              h('th', { scope: 'row' }, c.channel),
              h('td', { class: 'release' }, c.release),
              operator
                ? h(
                    'td',
                    {},
                    actionButton(
                      `Roll back ${c.channel}`,
                      `rollback:${c.channel}`,
                      `Rolling back ${c.channel}`,
                      () => api.post(`/channels/${encodeURIComponent(c.channel)}/rollback`),
                    ),
                  )
                : null,
            ),
          ),
        ),
      ),
    );
  }

  async function loadEvents() {
    try {
      const lists = await Promise.all(
        catalog.channels.map(async (c) => {
          const { events: list } = await api.get<ChannelEventList>(
            `/channels/${encodeURIComponent(c.channel)}/events`,
          );
          return list.map((e) => ({ ...e, channel: c.channel }));
        }),
      );
      const all = lists
        .flat()
        .sort((a, b) => b.time.localeCompare(a.time))
        .slice(0, 10);
      replaceChildren(
        events,
        all.length
          ? h(
              'ul',
              { class: 'events' },
              ...all.map((e) =>
                h(
                  'li',
                  {},
                  `${formatTime(e.time)} · ${e.channel}: ${e.action} ${e.release}${e.reason ? ` (${e.reason})` : ''}`,
                ),
              ),
            )
          : h('p', {}, 'No channel events recorded.'),
      );
    } catch (error) {
      replaceChildren(
        events,
        error instanceof ApiError && error.notFound
          ? unavailablePanel('Channel events')
          : failurePanel('Channel events', error),
      );
    }
  }

  const detailRow = (release: ReleaseSummary, columns: number) => {
    const cell = h('td', { colspan: columns }, loadingPanel(`the metrics of ${release.id}`));
    api.get<ReleaseDetail>(`/releases/${encodeURIComponent(release.id)}`).then(
      (detail) => replaceChildren(cell, releaseMetrics(detail)),
      (error: unknown) => replaceChildren(cell, failurePanel('Release metrics', error)),
    );
    return h('tr', { class: 'detail', id: `metrics-${release.id}` }, cell);
  };

  function renderReleases() {
    const onChannels = (id: string) =>
      catalog.channels
        .filter((c) => c.release === id)
        .map((c) => c.channel)
        .join(', ') || '—';
    const headers = [
      'Release',
      'Live',
      'Channels',
      'Dimensions',
      'Metrics',
      ...(operator ? ['Rollout'] : []),
    ];
    const rows = [...catalog.releases].reverse().flatMap((release) => {
      const open = expanded.has(release.id);
      const toggle = h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-expanded': String(open),
          'aria-controls': `metrics-${release.id}`,
          'data-focus-key': `metrics:${release.id}`,
        },
        open ? 'Hide metrics' : 'Show metrics',
      );
      toggle.addEventListener('click', () => {
        if (expanded.has(release.id)) expanded.delete(release.id);
        else expanded.add(release.id);
        renderReleases();
        main.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(`metrics:${release.id}`)}"]`)?.focus();
      });
      const row = h(
        'tr',
        { 'data-release': release.id },
        h('th', { scope: 'row' }, release.id),
        h('td', {}, release.live ? 'live' : 'retired'),
        h('td', { class: 'channels' }, onChannels(release.id)),
        h('td', {}, `h ${release.ecgDim} → z ${release.sharedDim}`),
        h('td', {}, toggle),
        operator
          ? h(
              'td',
              { class: 'actions' },
              ...ROLLOUT_CHANNELS.map((channel) =>
                actionButton(
                  `Roll out to ${channel}`,
                  `rollout:${release.id}:${channel}`,
                  `Rolling ${release.id} out to ${channel}`,
                  () => rollOut(release.id, channel),
                ),
              ),
            )
          : null,
      );
      return open ? [row, detailRow(release, headers.length)] : [row];
    });
    replaceChildren(
      releases,
      rows.length
        ? h(
            'table',
            { class: 'releases' },
            h('caption', {}, 'Releases, newest first'),
            h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...rows),
          )
        : h('p', {}, 'No releases registered.'),
    );
  }

  const jobs = jobsPanel({
    context: context satisfies ViewContext,
    releaseIds: () => catalog.releases.map((r) => r.id),
    onFinished: () => {
      signature = '';
      void refresh();
    },
    announce,
  });
  replaceChildren(
    main,
    h('h1', { tabindex: -1 }, 'Models'),
    status,
    section('models-channels', 'Channels', channels, h('h3', {}, 'Recent channel events'), events),
    section('models-releases', 'Releases', releases),
    section('models-jobs', 'Training jobs', jobs.element),
  );
  const stopPolling = poll(refresh, POLL_MS);
  return () => {
    stopPolling();
    jobs.stop();
  };
};
