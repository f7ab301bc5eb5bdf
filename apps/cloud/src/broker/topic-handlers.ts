import type { MessageHandler } from './bus.js';
import { topicMatcher } from './topic-filter.js';

/**
 * The cloud's in-process handlers by topic filter, shared by both broker paths: each runs every handler
 * whose filter matches a message and acknowledges the message only once they are all done.
 */
export class TopicHandlers {
  private readonly entries: {
    readonly matches: (topic: string) => boolean;
    readonly handler: MessageHandler;
  }[] = [];

  /** Adds a handler for `filter`; returns the filter's predicate. */
  add(filter: string, handler: MessageHandler): (topic: string) => boolean {
    const matches = topicMatcher(filter);
    this.entries.push({ matches, handler });
    return matches;
  }

  /**
   * Runs every matching handler; resolves when all have finished (a handler's failure is its own: it
   * never rejects). Undefined when no handler matches `topic`.
   */
  deliver(topic: string, payload: Uint8Array): Promise<void> | undefined {
    const matching = this.entries.filter((e) => e.matches(topic));
    if (matching.length === 0) return undefined;
    return Promise.allSettled(
      matching.map((e) => Promise.resolve().then(() => e.handler(topic, payload))),
    ).then(() => undefined);
  }
}
