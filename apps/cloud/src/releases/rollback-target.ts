/**
 * Which release a rollback goes back to, from a channel's publication history. The history is a stack:
 * a rollout pushes its release, a rollback pops the release it left. So after A → B → C, two rollbacks
 * go to B and then A, and after A → B and a rollback to A there is nothing earlier. A release a rollback
 * left stays out of reach of later rollbacks until an operator rolls it out again (after A → C → A and a
 * rollback to C, a second rollback has nowhere to go rather than re-publishing A).
 */

/** One publication on a channel, oldest first: what `rollouts` holds. */
export interface ChannelPublication<M = unknown> {
  readonly release: string;
  readonly manifest: M;
  readonly action: 'rollout' | 'rollback';
}

/** The channel's current publication and the one a rollback re-publishes (undefined: none earlier). */
export function rollbackTarget<M>(history: readonly ChannelPublication<M>[]): {
  current: ChannelPublication<M> | undefined;
  previous: ChannelPublication<M> | undefined;
} {
  const stack: ChannelPublication<M>[] = [];
  const left = new Set<string>();
  for (const entry of history) {
    if (entry.action === 'rollout') {
      left.delete(entry.release);
      // The same release rolled out again in a row is one step, with its newer manifest.
      if (stack.at(-1)?.release === entry.release) stack.pop();
      stack.push(entry);
      continue;
    }
    const from = stack.pop();
    if (from) left.add(from.release);
    // A rollback skips the releases rollbacks left; it names the release it published again, which
    // should now be on top (a history written before this rule may disagree: the entry is put there).
    while (stack.length > 0 && stack.at(-1)!.release !== entry.release && left.has(stack.at(-1)!.release)) {
      stack.pop();
    }
    if (stack.at(-1)?.release !== entry.release) stack.push(entry);
  }
  const current = stack.at(-1);
  const previous = stack.slice(0, -1).findLast((p) => p.release !== current?.release && !left.has(p.release));
  return { current, previous };
}
