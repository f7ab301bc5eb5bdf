import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * The Node process's default metrics (CPU, memory, heap, event loop lag, GC, handles) in one registry
 * per process. Several cloud instances may run in one process (tests) and share it; the default metrics
 * start observers (GC, event loop delay) that live as long as the process, so they are started once.
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
