/**
 * The dashboard's entry: sign-in, the page shell (header, navigation, main) and the hash router that
 * swaps the pages (fleet, cases, one case, worklist, models).
 */
import './dashboard.css';
import { ApiClient, ApiError } from './api-client.js';
import type { Role } from './api-types.js';
import { caseView } from './case-view.js';
import { casesView } from './cases-view.js';
import { h, replaceChildren } from './dom.js';
import { fleetView } from './fleet-view.js';
import { loginView, roleOf } from './login-view.js';
import { modelsView } from './models-view.js';
import { unavailablePanel } from './panels.js';
import { parseRoute, type Route, routeHash } from './router.js';
import { forgetToken, storedToken, storeToken } from './session.js';
import type { View } from './view.js';
import { worklistView } from './worklist-view.js';

const NAV: readonly { page: Route['page']; label: string; route: Route }[] = [
  { page: 'fleet', label: 'Fleet', route: { page: 'fleet' } },
  { page: 'cases', label: 'Cases', route: { page: 'cases', query: '' } },
  { page: 'worklist', label: 'Worklist', route: { page: 'worklist' } },
  { page: 'models', label: 'Models', route: { page: 'models' } },
];

function viewOf(route: Route): View {
  switch (route.page) {
    case 'fleet':
      return fleetView;
    case 'cases':
      return casesView(route.query);
    case 'case':
      return caseView(route.deviceId, route.seq);
    case 'worklist':
      return worklistView;
    case 'models':
      return modelsView;
    case 'not-found':
      return (main) => {
        replaceChildren(
          main,
          h('h1', { tabindex: -1 }, 'Page not found'),
          unavailablePanel(`#${route.hash}`, 'no such page.'),
        );
        return () => {};
      };
  }
}

function shell(root: HTMLElement, api: ApiClient, role: Role): void {
  const links = NAV.map((item) =>
    h('a', { href: routeHash(item.route), 'data-page': item.page }, item.label),
  );
  const signOut = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
  const main = h('main', { id: 'main', tabindex: -1 });
  replaceChildren(
    root,
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'heartline'),
      h('nav', { 'aria-label': 'Main' }, h('ul', { class: 'nav-list' }, ...links.map((a) => h('li', {}, a)))),
      h('span', { class: 'role', 'data-role': role }, `signed in as ${role}`),
      signOut,
    ),
    main,
  );
  // The skip link targets main without touching the hash router.
  root.querySelector('a.skip')?.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  let dispose = () => {};
  const show = (moveFocus: boolean) => {
    dispose();
    const route = parseRoute(location.hash);
    for (const a of links) {
      const current =
        a.dataset['page'] === route.page || (route.page === 'case' && a.dataset['page'] === 'cases');
      if (current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    dispose = viewOf(route)(main, {
      api,
      role,
      navigate: (next) => {
        location.hash = routeHash(next);
      },
    });
    if (moveFocus) main.querySelector<HTMLElement>('h1')?.focus();
  };
  const onHashChange = () => show(true);
  window.addEventListener('hashchange', onHashChange);
  signOut.addEventListener('click', () => {
    dispose();
    window.removeEventListener('hashchange', onHashChange);
    forgetToken();
    start(root);
  });
  show(false);
}

function start(root: HTMLElement, message?: string): void {
  loginView(
    root,
    (api, role) => {
      storeToken(api.token);
      shell(root, api, role);
    },
    message,
  );
}

async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  const token = storedToken();
  if (!token) return start(root);
  const api = new ApiClient(token);
  try {
    shell(root, api, await roleOf(api));
  } catch (error) {
    forgetToken();
    start(
      root,
      error instanceof ApiError && error.status === 401
        ? 'Your session has expired; sign in again.'
        : undefined,
    );
  }
}

void boot();
