/**
 * The in-process ANN index over device embeddings, beside the database (which stays the system of
 * record). Used with PGlite, where pgvector's HNSW maintenance (single-threaded wasm, ~1–6 ms per
 * inserted row) capped the ingest, and with a PostgreSQL server without pgvector; on a server with
 * pgvector queries use its HNSW index instead.
 *
 * It follows the `embeddings` table through a {@link TableFollower} (by writing transaction, so rows
 * several instances commit out of order are all seen): `follow()` reads the rows committed since and
 * hands them to a worker thread that searches them at once (exactly, in its tail) and moves them into a
 * usearch HNSW graph on its own core. A snapshot (graphs, tails and the follower's position) is written
 * to the data directory at close and every few minutes, and read at start, after which only newer rows
 * are read from the database.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@heartline/node-io';
import { VectorIndexError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import type { AnnRequest, AnnResponse, AnnWorkerInput, ReleaseVectorStats } from './protocol.js';
import { type AnnSettings, DEFAULT_ANN_SETTINGS } from './release-vectors.js';
import { type FollowedRow, parsePosition, TableFollower } from './table-follower.js';

/** Options of {@link EcgVectorIndex.open}. */
export interface EcgVectorIndexOptions {
  readonly db: SqlDriver;
  /** Where snapshots go; undefined: none (in-memory database). */
  readonly dir?: string | undefined;
  readonly settings?: Partial<AnnSettings> | undefined;
  /** Rows read from the database per statement while following. Default 5,000. */
  readonly readRows?: number | undefined;
  /** Snapshot at most this often while running (ms); 0: only at close. Default 300,000. */
  readonly snapshotEveryMs?: number | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

/** A hit of the index: the embeddings row id and its cosine similarity. */
export interface IndexHit {
  readonly id: bigint;
  readonly score: number;
}

type Pending = { resolve: (message: AnnResponse) => void; reject: (error: Error) => void };

function startAnnWorker(input: AnnWorkerInput): Worker {
  return startModuleWorker(import.meta.url, 'ann-worker', { workerData: input });
}

/** Copies a stored vector into `out` at `offset`, checking its length. */
function readVector(values: readonly number[], out: Float32Array, offset: number, dim: number): void {
  if (values.length !== dim)
    throw new VectorIndexError(`stored vector has ${values.length} values, expected ${dim}`);
  out.set(values, offset);
}

export class EcgVectorIndex {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Which rows have been handed to the worker. */
  private follower: TableFollower;
  /** The pass reading new rows now, if any. */
  private passing: Promise<void> | undefined;
  private readonly waitingForPass: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private failed: Error | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private changedSinceSnapshot = false;
  private closed = false;
  private terminated = false;
  /** True once the rows present at start have been read; until then queries should use SQL. */
  ready = false;

  private constructor(
    private readonly options: EcgVectorIndexOptions,
    private readonly worker: Worker,
  ) {
    this.follower = new TableFollower(options.db);
    worker.on('message', (message: AnnResponse) => {
      if (message.type === 'error' && message.id === undefined) {
        this.options.log?.(`vector index: ${message.message}`);
        return;
      }
      const waiter = this.pending.get(message.id!);
      if (!waiter) return;
      this.pending.delete(message.id!);
      if (message.type === 'error') waiter.reject(new VectorIndexError(`vector index: ${message.message}`));
      else waiter.resolve(message);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (!this.terminated) this.fail(new VectorIndexError(`vector index worker exited with code ${code}`));
    });
  }

  /**
   * Starts the worker, reads the snapshot in `dir` if there is one, and starts reading the newer rows
   * (`ready` turns true when that is done; `whenReady` waits for it).
   */
  static async open(options: EcgVectorIndexOptions): Promise<EcgVectorIndex> {
    const settings = { ...DEFAULT_ANN_SETTINGS, ...options.settings };
    const worker = startAnnWorker({ settings, stepRows: 32, bulkAbove: 4096, bulkRows: 512 });
    const index = new EcgVectorIndex(options, worker);
    if (options.dir !== undefined) {
      try {
        const loaded = await index.request({ type: 'load', id: 0, dir: options.dir });
        if (loaded.type === 'loaded' && loaded.mark !== undefined)
          index.follower = new TableFollower(options.db, parsePosition(loaded.mark));
      } catch (error) {
        // A damaged snapshot costs a rebuild from the database, not the start.
        options.log?.(`vector index: snapshot not used (${(error as Error).message}); rebuilding`);
        index.follower = new TableFollower(options.db);
      }
      const every = options.snapshotEveryMs ?? 300_000;
      if (every > 0) {
        index.snapshotTimer = setInterval(() => {
          if (index.changedSinceSnapshot) index.snapshot().catch(() => undefined);
        }, every);
        index.snapshotTimer.unref();
      }
    }
    index.startup = index.follow().then(() => {
      index.ready = true;
    });
    index.startup.catch((error: Error) => options.log?.(`vector index: ${error.message}`));
    return index;
  }

  private startup: Promise<void> = Promise.resolve();

  /** Resolves once the rows present at start are searchable. */
  whenReady(): Promise<void> {
    return this.startup;
  }

  private fail(error: Error): void {
    this.failed ??= error;
    this.ready = false;
    this.options.log?.(`vector index: ${error.message}; queries fall back to SQL`);
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  /**
   * Highest embeddings id handed to the worker (metrics: rows above it are not in the index yet; with
   * several writers a few below it may not be either, until their transactions commit).
   */
  get followedId(): bigint {
    return this.highestHanded;
  }

  private highestHanded = 0n;

  /** Whether queries can use the index now. */
  get usable(): boolean {
    return this.ready && this.failed === undefined && !this.closed;
  }

  private request(message: AnnRequest & { id: number }): Promise<AnnResponse> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.terminated) return Promise.reject(new VectorIndexError('vector index: closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  /**
   * Hands every row stored before this call to the worker. Reading goes in passes, one at a time (each
   * reads until a batch comes back short); a call made during a pass is answered by the next one.
   */
  follow(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waitingForPass.push({ resolve, reject });
      if (!this.passing) void this.runPasses();
    });
  }

  private async runPasses(): Promise<void> {
    while (this.waitingForPass.length > 0) {
      const waiters = this.waitingForPass.splice(0);
      const limit = this.options.readRows ?? 5000;
      this.passing = this.follower
        .pass(
          (rows) => this.handOver(rows),
          limit,
          () => this.closed,
        )
        .then(() => undefined);
      try {
        await this.passing;
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error as Error);
      }
    }
    this.passing = undefined;
  }

  /** Rows of recent transactions the follower keeps re-checking (see TableFollower), for metrics. */
  get followWindowRows(): number {
    return this.follower.windowRows;
  }

  /** Release number and shared dimension by release id (releases are never renumbered). */
  private readonly releaseOf = new Map<string, { num: number; dim: number }>();

  private async releaseInfo(id: string): Promise<{ num: number; dim: number }> {
    let info = this.releaseOf.get(id);
    if (!info) {
      const { rows } = await this.options.db.query<{ num: number; dim: number }>(
        'SELECT num, shared_dim AS dim FROM releases WHERE id = $1',
        [id],
      );
      if (!rows[0]) throw new VectorIndexError(`vector index: embeddings of an unknown release ${id}`);
      info = rows[0];
      this.releaseOf.set(id, info);
    }
    return info;
  }

  /** Posts rows to the worker, one message per release. */
  private async handOver(rows: readonly FollowedRow[]): Promise<void> {
    // Grouped by release id, then one release lookup per group (not one per row).
    const byRelease = new Map<string, FollowedRow[]>();
    for (const row of rows) {
      const group = byRelease.get(row.release);
      if (group) group.push(row);
      else byRelease.set(row.release, [row]);
    }
    for (const [id, group] of byRelease) {
      const { num, dim } = await this.releaseInfo(id);
      const keys = new BigUint64Array(group.length);
      const vectors = new Float32Array(group.length * dim);
      group.forEach((row, i) => {
        keys[i] = row.key;
        if (row.key > this.highestHanded) this.highestHanded = row.key;
        readVector(row.z, vectors, i * dim, dim);
      });
      if (this.failed) throw this.failed;
      const message: AnnRequest = { type: 'add', release: num, dim, keys, vectors };
      this.worker.postMessage(message, [keys.buffer, vectors.buffer]);
    }
    this.changedSinceSnapshot = true;
  }

  /** The `k` embeddings of release `num` most similar to `query`, best first. */
  async nearest(release: number, query: Float32Array, k: number): Promise<IndexHit[]> {
    // Catch up with the table first (one short index read when nothing is new): a search sees every row
    // committed before it was asked, whoever wrote it (the ingest, a dataset import, another process),
    // not only the rows whose storing was announced with `follow`.
    await this.follow().catch(() => undefined);
    if (this.failed) throw this.failed;
    const copy = Float32Array.from(query);
    const answer = await this.request({ type: 'search', id: 0, release, query: copy, k });
    if (answer.type !== 'hits') throw new VectorIndexError(`vector index: unexpected answer ${answer.type}`);
    return answer.keys.map((id, i) => ({ id, score: answer.scores[i]! }));
  }

  /** Rows in graphs and in tails, per release. */
  async stats(): Promise<ReleaseVectorStats[]> {
    const answer = await this.request({ type: 'stats', id: 0 });
    return answer.type === 'stats' ? answer.releases : [];
  }

  /** Writes a snapshot (no-op without a directory). */
  async snapshot(): Promise<void> {
    if (this.options.dir === undefined || this.failed) return;
    // Taken now: the worker saves after the rows posted so far, which is what the position says.
    const mark = this.follower.positionText();
    this.changedSinceSnapshot = false;
    await this.request({ type: 'save', id: 0, dir: this.options.dir, mark });
  }

  /** Waits for a running follow, writes a snapshot, stops the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    // A follow stops after its current batch; what it handed over is in the snapshot with its mark.
    await this.passing?.catch(() => undefined);
    await this.snapshot().catch((e: Error) => this.options.log?.(`vector index: ${e.message}`));
    this.terminated = true;
    await this.worker.terminate();
  }
}
