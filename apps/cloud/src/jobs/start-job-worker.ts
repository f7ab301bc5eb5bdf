import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@heartline/node-io';
import type { JobWorkerInput } from './worker-protocol.js';

/** Starts `job-worker` beside this file with the job's input (compiled, or from sources in development). */
export function startJobWorker(input: JobWorkerInput): Worker {
  return startModuleWorker(import.meta.url, 'job-worker', { workerData: input });
}
