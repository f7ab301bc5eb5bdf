/** Sign-in: a bearer token typed into a labelled password field, checked against the API. */
import { ApiClient, ApiError } from './api-client.js';
import type { Role, WhoAmI } from './api-types.js';
import { h, replaceChildren } from './dom.js';

/** Asks the cloud who `token` is: its role, or an ApiError (401 for an unknown token). */
export async function roleOf(api: ApiClient): Promise<Role> {
  await api.get('/stats');
  try {
    return (await api.get<WhoAmI>('/whoami')).role;
  } catch (error) {
    // An older cloud without /whoami: show the least privileged view; operator calls would fail anyway.
    if (error instanceof ApiError && error.notFound) return 'viewer';
    throw error;
  }
}

/** Renders the sign-in form; `onSignedIn` receives the checked client and role. */
export function loginView(
  root: HTMLElement,
  onSignedIn: (api: ApiClient, role: Role) => void,
  message?: string,
): void {
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    spellcheck: false,
    'aria-describedby': 'token-help',
  });
  const feedback = h('p', { class: 'feedback', role: 'alert' }, message ?? '');
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'login' },
    h('label', { for: 'token' }, 'Access token'),
    input,
    h(
      'p',
      { id: 'token-help', class: 'help' },
      'The bearer token printed by `heartline start` or issued with `heartline token`. It is kept only for this tab.',
    ),
    submit,
    feedback,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    submit.disabled = true;
    feedback.textContent = '';
    try {
      const api = new ApiClient(token);
      onSignedIn(api, await roleOf(api));
    } catch (error) {
      feedback.textContent =
        error instanceof ApiError && (error.status === 401 || error.status === 403)
          ? 'That token was not accepted. Check it and try again.'
          : `Signing in failed: ${error instanceof Error ? error.message : String(error)}`;
      submit.disabled = false;
      input.focus();
    }
  });
  replaceChildren(
    root,
    h(
      'main',
      { id: 'main', class: 'login-page' },
      h('h1', {}, 'heartline dashboard'),
      h('h2', {}, 'Sign in'),
      form,
    ),
  );
  input.focus();
}
