/** Fleet: every device with its online state, release, queue depth, last window and quality (polled). */
import { ApiError } from './api-client.js';
import type { DeviceList, FleetDevice, FleetList, RegisteredDevice } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { formatAgo, formatCount, formatPercent, formatTime, UNKNOWN } from './format.js';
import { failurePanel, loadingPanel, unavailablePanel } from './panels.js';
import { poll, type View } from './view.js';

/** How often the fleet is re-read. */
const POLL_MS = 2000;

function stateOf(device: FleetDevice): string {
  if (device.revoked) return 'revoked';
  return device.online ? 'online' : 'offline';
}

function fleetTable(devices: readonly FleetDevice[], now: number): HTMLElement {
  const headers = [
    'Device',
    'Channel',
    'State',
    'Release',
    'Queued',
    'Sent',
    'Dropped',
    'Last window',
    'Quality',
    'Last seen',
  ];
  return h(
    'table',
    { class: 'fleet' },
    h('caption', {}, 'Devices and their last reported state'),
    h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', { scope: 'col' }, title)))),
    h(
      'tbody',
      {},
      ...devices.map((d) =>
        h(
          'tr',
          { 'data-device': d.id, 'data-state': stateOf(d) },
          h('th', { scope: 'row' }, d.id),
          h('td', {}, d.channel),
          h('td', { class: 'state' }, h('span', { class: `badge ${stateOf(d)}` }, stateOf(d))),
          h('td', { class: 'release' }, d.release ?? UNKNOWN),
          h('td', { class: 'num' }, formatCount(d.queued)),
          h('td', { class: 'num' }, formatCount(d.sent)),
          h('td', { class: 'num' }, formatCount(d.dropped)),
          h('td', {}, formatTime(d.lastWindowT0)),
          h('td', { class: 'num' }, formatPercent(d.quality, 1)),
          h('td', {}, formatAgo(d.lastSeen, now)),
        ),
      ),
    ),
  );
}

function registeredTable(devices: readonly RegisteredDevice[]): HTMLElement {
  return h(
    'table',
    { class: 'fleet' },
    h('caption', {}, 'Registered devices'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Device'), h('th', { scope: 'col' }, 'Channel'))),
    h(
      'tbody',
      {},
      ...devices.map((d) =>
        h('tr', { 'data-device': d.id }, h('th', { scope: 'row' }, d.id), h('td', {}, d.channel)),
      ),
    ),
  );
}

/** The fleet page. */
export const fleetView: View = (main, { api }) => {
  const summary = h('p', { class: 'summary', id: 'fleet-summary' });
  const body = h('div', {}, loadingPanel('the fleet'));
  replaceChildren(main, h('h1', { tabindex: -1 }, 'Fleet'), summary, body);
  let liveStateMissing = false;
  return poll(async () => {
    try {
      if (!liveStateMissing) {
        const { devices } = await api.get<FleetList>('/fleet');
        const online = devices.filter((d) => d.online && !d.revoked).length;
        summary.textContent = `${online} of ${devices.length} devices online`;
        summary.dataset['online'] = String(online);
        replaceChildren(body, fleetTable(devices, Date.now()));
        return;
      }
      const { devices } = await api.get<DeviceList>('/devices');
      summary.textContent = `${devices.length} devices registered`;
      replaceChildren(body, unavailablePanel('Live device state'), registeredTable(devices));
    } catch (error) {
      if (error instanceof ApiError && error.notFound && !liveStateMissing) {
        liveStateMissing = true;
        return;
      }
      replaceChildren(body, failurePanel('Reading the fleet', error));
    }
  }, POLL_MS);
};
