export { writeFileAtomic } from './durable-file.js';
export type { OutboxOptions, QueuedMessage } from './outbox.js';
export { Outbox } from './outbox.js';
