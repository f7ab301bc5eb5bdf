/**
 * The vector-index worker thread: holds every release's {@link ReleaseVectors}, answers searches, and
 * between messages moves tail rows into the graphs a step at a time on its own core.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { AnnRequest, AnnResponse, AnnWorkerInput } from './protocol.js';
import { ReleaseVectors } from './release-vectors.js';

const input = workerData as AnnWorkerInput;
const port = parentPort!;
const releases = new Map<number, ReleaseVectors>();
let indexing = false;

/** The snapshot's table of contents. */
interface SnapshotState {
  readonly version: 1;
  readonly mark: string;
  readonly releases: readonly number[];
}

function reply(message: AnnResponse): void {
  port.postMessage(message);
}

/** One indexing step for the first release that wants it, then yields to messages. */
function indexStep(): void {
  for (const release of releases.values()) {
    if (release.wantsIndexing) {
      if (release.pending > input.bulkAbove) release.indexStep(input.bulkRows, 2);
      else release.indexStep(input.stepRows);
      setImmediate(indexStep);
      return;
    }
  }
  indexing = false;
}

function scheduleIndexing(): void {
  if (indexing) return;
  indexing = true;
  setImmediate(indexStep);
}

const fileStem = (release: number) => `release-${release}`;

/** Writes a snapshot beside `dir` and swaps it in, so a crash leaves the previous one whole. */
async function save(dir: string, mark: string): Promise<void> {
  const next = `${dir}.next`;
  await rm(next, { recursive: true, force: true });
  // Made here, not only by a release's save: an index with no rows yet saves its state alone.
  await mkdir(next, { recursive: true });
  for (const [num, release] of releases) await release.save(next, fileStem(num));
  const state: SnapshotState = { version: 1, mark, releases: [...releases.keys()] };
  await writeFile(`${next}/state.json`, JSON.stringify(state));
  const previous = `${dir}.previous`;
  await rm(previous, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, previous);
  await rename(next, dir);
  await rm(previous, { recursive: true, force: true });
}

async function load(dir: string): Promise<string | undefined> {
  // A crash between the two renames of `save` leaves only the previous snapshot.
  const from = existsSync(`${dir}/state.json`) ? dir : `${dir}.previous`;
  if (!existsSync(`${from}/state.json`)) return undefined;
  const state = JSON.parse(await readFile(`${from}/state.json`, 'utf8')) as SnapshotState;
  if (state.version !== 1) return undefined;
  releases.clear();
  for (const num of state.releases) {
    releases.set(num, await ReleaseVectors.load(from, fileStem(num), input.settings));
  }
  scheduleIndexing();
  return state.mark;
}

async function handle(message: AnnRequest): Promise<void> {
  switch (message.type) {
    case 'add': {
      let release = releases.get(message.release);
      if (!release) {
        release = new ReleaseVectors(message.dim, input.settings);
        releases.set(message.release, release);
      }
      release.add(message.keys, message.vectors);
      scheduleIndexing();
      return;
    }
    case 'search': {
      const release = releases.get(message.release);
      const hits = release ? release.search(message.query, message.k) : { keys: [], scores: [] };
      reply({ type: 'hits', id: message.id, ...hits });
      return;
    }
    case 'save':
      await save(message.dir, message.mark);
      reply({ type: 'saved', id: message.id });
      return;
    case 'load':
      reply({ type: 'loaded', id: message.id, mark: await load(message.dir) });
      return;
    case 'stats':
      reply({
        type: 'stats',
        id: message.id,
        releases: [...releases].map(([num, r]) => ({
          release: num,
          dim: r.dim,
          indexed: r.indexed,
          pending: r.pending,
        })),
      });
      return;
  }
}

// Messages are handled one at a time in arrival order (a search sees every add sent before it).
let queue = Promise.resolve();
port.on('message', (message: AnnRequest) => {
  queue = queue.then(() =>
    handle(message).catch((error: Error) =>
      reply({ type: 'error', id: 'id' in message ? message.id : undefined, message: error.message }),
    ),
  );
});
