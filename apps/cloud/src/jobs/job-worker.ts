/**
 * The entry of a job's worker thread: runs `trainRelease` (pretrain) or `alignRelease` (align) on its
 * own TF.js backend, reports progress (throttled), epochs and log lines, and honours `cancel` through an
 * AbortSignal (the manager terminates the thread if that takes too long).
 */
import { rm } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { InvalidStateError } from '@heartline/model/errors';
import { alignRelease, type EpochRecord, trainRelease } from '@heartline/trainer';
import type { CancelMessage, JobWorkerInput, JobWorkerMessage } from './worker-protocol.js';

const PROGRESS_INTERVAL_MS = 250;

const port = parentPort;
if (!port) throw new InvalidStateError('job-worker.ts runs as a worker thread of the job manager');
const input = workerData as JobWorkerInput;
const controller = new AbortController();
port.on('message', (m: CancelMessage) => {
  if (m.type === 'cancel') controller.abort();
});

const send = (m: JobWorkerMessage) => port.postMessage(m);
let lastStage = '';
let lastSent = 0;
function progress(stage: string, done: number, total: number, detail?: string): void {
  const now = performance.now();
  if (stage === lastStage && done < total && now - lastSent < PROGRESS_INTERVAL_MS) return;
  lastStage = stage;
  lastSent = now;
  send({ event: 'progress', data: { stage, done, total, ...(detail !== undefined ? { detail } : {}) } });
}
const callbacks = {
  signal: controller.signal,
  log: (line: string) => send({ event: 'log', data: { line } }),
  onProgress: progress,
  onEpoch: (record: EpochRecord) => send({ event: 'epoch', data: record }),
};

async function run(): Promise<string> {
  if (input.kind === 'pretrain') {
    const { manifest } = await trainRelease({
      out: input.out,
      preset: input.preset,
      dataDirs: input.dataDirs,
      pairedReports: [],
      ...(input.steps !== undefined ? { steps: input.steps } : {}),
      ...callbacks,
    });
    return manifest.id;
  }
  const { manifest } = await alignRelease({
    out: input.out,
    parent: input.parentDir,
    pairs: input.pairs,
    sources: input.sources,
    ...(input.preset !== undefined ? { preset: input.preset } : {}),
    ...(input.steps !== undefined ? { steps: input.steps } : {}),
    ...callbacks,
  });
  return manifest.id;
}

try {
  const release = await run();
  // trainRelease still writes a release after an aborted training loop: a cancelled job keeps none.
  if (controller.signal.aborted) throw controller.signal.reason;
  send({ event: 'done', data: { release } });
} catch (error) {
  if (controller.signal.aborted) {
    await rm(input.out, { recursive: true, force: true });
    send({ event: 'cancelled', data: {} });
  } else {
    send({ event: 'failed', data: { error: error instanceof Error ? error.message : String(error) } });
  }
}
