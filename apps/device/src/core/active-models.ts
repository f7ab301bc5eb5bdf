/** How a model store's active set changes when a release becomes current (files and memory alike). */
import type { ActiveModels } from './ports.js';

/** `old` after `release` became current: the one it replaced is previous; `block` is refused for good. */
export function activeAfter(old: ActiveModels, release: string, block?: string): ActiveModels {
  const blocked = block ? [...new Set([...old.blocked, block])] : [...old.blocked];
  const previous = old.current === release ? old.previous : old.current;
  return { current: release, ...(previous && previous !== release ? { previous } : {}), blocked };
}
