import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JobWorkerInput } from './worker-protocol.js';

/**
 * Starts `job-worker` beside this file with the job's input: the compiled .js directly, or the .ts
 * source through tsx's loader registered inside the worker (loader flags on the command line do not
 * reach worker threads), resolving workspace packages to their sources as the parent does. The same
 * approach as the trainer's data-parallel pool.
 */
export function startJobWorker(input: JobWorkerInput): Worker {
  const js = new URL('./job-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: input });
  const ts = new URL('./job-worker.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(code, { eval: true, execArgv: ['--conditions=source'], workerData: input });
}
