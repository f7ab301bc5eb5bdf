/** The system clock: `Date.now` and the global timers. */
import type { Clock } from './ports.js';

/** The clock a device uses unless its environment brings one. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};
