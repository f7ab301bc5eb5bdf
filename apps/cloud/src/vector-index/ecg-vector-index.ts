/**
 * The in-process ANN index over device embeddings, beside the database (which stays the system of
 * record). Used with PGlite, where pgvector's HNSW maintenance (single-threaded wasm, ~1–6 ms per
 * inserted row) capped the ingest; on a PostgreSQL server, which maintains HNSW natively and is shared by
 * several cloud instances, queries use pgvector's index instead.
 *
 * It follows the `embeddings` table by its increasing `id`: `follow()` reads the rows past the last one
 * it has and hands them to a worker thread that searches them
 * at once (exactly, in its tail) and moves them into a usearch HNSW graph on its own core. A snapshot
 * (graphs, tails and the id reached) is written to the data directory at close and every few minutes,
 * and read at start, after which only newer rows are read from the database.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@heartline/node-io';
import { VectorIndexError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import type { AnnRequest, AnnResponse, AnnWorkerInput, ReleaseVectorStats } from './protocol.js';
import { type AnnSettings, DEFAULT_ANN_SETTINGS } from './release-vectors.js';

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

/**
 * Parses pgvector's text form (`[1,2.5,-3]`, valid JSON) into `out` at `offset`. Read as text: PGlite
 * hands `bytea` results over as hex decoded in JavaScript, ~5× slower (5,000 128-d rows: 328 vs 60 ms);
 * JSON.parse is ~2× faster than splitting on commas.
 */
function readVectorText(text: string, out: Float32Array, offset: number, dim: number): void {
  const values = JSON.parse(text) as number[];
  if (values.length !== dim)
    throw new VectorIndexError(`stored vector has ${values.length} values, expected ${dim}`);
  out.set(values, offset);
}

export class EcgVectorIndex {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Highest embeddings id handed to the worker. */
  private mark = 0n;
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
        if (loaded.type === 'loaded' && loaded.mark !== undefined) index.mark = BigInt(loaded.mark);
      } catch (error) {
        // A damaged snapshot costs a rebuild from the database, not the start.
        options.log?.(`vector index: snapshot not used (${(error as Error).message}); rebuilding`);
        index.mark = 0n;
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

  /** Highest embeddings id handed to the worker: rows above it are not in the index yet (metrics). */
  get followedId(): bigint {
    return this.mark;
  }

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
      this.passing = (async () => {
        while (!this.closed && (await this.readBatch()) === limit) {
          // A full batch: there may be more.
        }
      })();
      try {
        await this.passing;
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error as Error);
      }
    }
    this.passing = undefined;
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

  private async readBatch(): Promise<number> {
    const limit = this.options.readRows ?? 5000;
    // Walks the id index. The output column must not be called `id`: ORDER BY would take it (a float8)
    // and sort the rest of the table, every vector formatted as text, on each batch (~5× slower).
    const { rows: stored } = await this.options.db.query<{ key: number; release: string; z: string }>(
      `SELECT id::float8 AS key, release, z::text AS z FROM embeddings
       WHERE id > $1 ORDER BY embeddings.id LIMIT $2`,
      [this.mark.toString(), limit],
    );
    if (stored.length === 0) return 0;
    // Grouped by release id, then one release lookup per group (not one per row).
    const byRelease = new Map<string, typeof stored>();
    for (const row of stored) {
      const group = byRelease.get(row.release);
      if (group) group.push(row);
      else byRelease.set(row.release, [row]);
    }
    for (const [id, group] of byRelease) {
      const { num, dim } = await this.releaseInfo(id);
      const keys = new BigUint64Array(group.length);
      const vectors = new Float32Array(group.length * dim);
      group.forEach((row, i) => {
        keys[i] = BigInt(row.key);
        readVectorText(row.z, vectors, i * dim, dim);
      });
      if (this.failed) throw this.failed;
      const message: AnnRequest = { type: 'add', release: num, dim, keys, vectors };
      this.worker.postMessage(message, [keys.buffer, vectors.buffer]);
    }
    this.mark = BigInt(stored[stored.length - 1]!.key);
    this.changedSinceSnapshot = true;
    return stored.length;
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
    const mark = this.mark;
    this.changedSinceSnapshot = false;
    await this.request({ type: 'save', id: 0, dir: this.options.dir, mark: mark.toString() });
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
