/** Status panels: loading, failures, and features the cloud does not offer (yet). */
import { ApiError } from './api-client.js';
import { h } from './dom.js';

/** A neutral "loading" line, announced politely. */
export function loadingPanel(what: string): HTMLElement {
  return h('p', { class: 'panel loading', role: 'status' }, `Loading ${what}…`);
}

/**
 * The panel for a failed call: a 404 means the endpoint or item is not there, shown as "not available"
 * rather than an error; anything else is shown as an error with the API's code.
 */
export function failurePanel(what: string, error: unknown): HTMLElement {
  if (error instanceof ApiError && error.notFound) return unavailablePanel(what);
  const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  return h('div', { class: 'panel error', role: 'alert' }, h('strong', {}, `${what} failed. `), message);
}

/** A clear "not available" panel for something this cloud does not provide. */
export function unavailablePanel(what: string, why = 'this cloud does not provide it (yet).'): HTMLElement {
  return h(
    'div',
    { class: 'panel unavailable', 'data-unavailable': what },
    h('strong', {}, `${what}: not available. `),
    why,
  );
}
