/**
 * The align-job proposal above the jobs list: after enough sign-offs since the last align job the cloud
 * proposes the next one (`GET /jobs/align-proposal`), and an operator starts it with one click, from the
 * release the proposal names. Viewers see the proposal without the button. Nothing is shown when the
 * cloud has no such endpoint.
 */
import { ApiError } from './api-client.js';
import type { AlignProposal, JobCreated } from './api-types.js';
import { h, replaceChildren } from './dom.js';
import { canOperate, type ViewContext } from './view.js';

/** The proposal's element and a function reading it again (the jobs panel calls it on its poll). */
export function alignProposal(options: {
  readonly context: ViewContext;
  readonly announce: (message: string) => void;
  /** Told after the proposed job was submitted. */
  readonly onStarted: () => void;
}): { element: HTMLElement; refresh: () => Promise<void> } {
  const { api, role } = options.context;
  const element = h('div', { class: 'align-proposal', 'aria-live': 'polite' });
  let missing = false;
  let shown = '';

  const startButton = (proposal: AlignProposal) => {
    const button = h('button', { type: 'button' }, 'Start align job');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const { id } = await api.post<JobCreated>('/jobs', { kind: 'align', parent: proposal.parent });
        options.announce(`Align job ${id} started from ${proposal.parent}.`);
        options.onStarted();
        await refresh();
      } catch (error) {
        options.announce(
          `Starting the align job failed: ${error instanceof ApiError ? `${error.code}: ${error.message}` : String(error)}`,
        );
        button.disabled = false;
      }
    });
    return button;
  };

  const refresh = async () => {
    if (missing) return;
    try {
      const proposal = await api.get<AlignProposal>('/jobs/align-proposal');
      const key = `${proposal.proposed}:${proposal.message}`;
      if (key === shown) return;
      shown = key;
      replaceChildren(
        element,
        h(
          'p',
          { class: proposal.proposed ? 'proposal' : 'muted', 'data-proposed': String(proposal.proposed) },
          proposal.message,
          proposal.proposed && proposal.parent !== null && canOperate(role) ? ' ' : null,
          proposal.proposed && proposal.parent !== null && canOperate(role) ? startButton(proposal) : null,
        ),
      );
    } catch (error) {
      // An older cloud without proposals: show nothing rather than an error in the jobs panel.
      if (error instanceof ApiError && error.notFound) missing = true;
      replaceChildren(element);
      shown = '';
    }
  };

  return { element, refresh };
}
