/** What every page of the dashboard is given, and what it gives back. */
import type { ApiClient } from './api-client.js';
import type { Role } from './api-types.js';
import type { Route } from './router.js';

/** The signed-in session a page renders for. */
export interface ViewContext {
  readonly api: ApiClient;
  readonly role: Role;
  /** Goes to another page (updates the hash). */
  navigate(route: Route): void;
}

/** A page: renders into `main` and returns a function that stops its timers and streams. */
export type View = (main: HTMLElement, context: ViewContext) => () => void;

/** Whether `role` may use operator controls (rollout, rollback, training jobs). */
export function canOperate(role: Role): boolean {
  return role === 'operator' || role === 'admin';
}

/** Whether `role` may sign draft reports off (clinician and above). */
export function canSign(role: Role): boolean {
  return role !== 'viewer';
}

/** Runs `task` now and then every `ms` after each run settles, until the returned stop is called. */
export function poll(task: () => Promise<void>, ms: number): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    try {
      await task();
    } finally {
      if (!stopped) timer = setTimeout(run, ms);
    }
  };
  void run();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
