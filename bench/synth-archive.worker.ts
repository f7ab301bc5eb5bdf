/**
 * Writes one part of the dataset-scale benchmark's synthetic archive per message (see synth-archive.ts):
 * a PTB-XL-layout folder of 100 Hz records, written under a temporary name and renamed when complete.
 */
import { rename, rm } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { generateDataset } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';

/** What to write. */
export interface PartJob {
  readonly dir: string;
  readonly records: number;
  readonly seed: string;
}

parentPort?.on('message', (job: PartJob) => {
  void (async () => {
    const files = generateDataset({ n: job.records, seed: job.seed, rate: 100 });
    // At rate 100 the "high-rate" copy duplicates the 100 Hz one; the trainer reads only the latter.
    for (const path of [...files.keys()]) if (path.includes('_hr.')) files.delete(path);
    const partial = `${job.dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await writeDataset(partial, files);
    await rename(partial, job.dir);
  })().then(
    () => parentPort?.postMessage({ ok: true }),
    (error: unknown) => parentPort?.postMessage({ ok: false, message: String(error) }),
  );
});
