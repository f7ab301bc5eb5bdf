/**
 * The shared vectors of one release, searchable by cosine similarity: an HNSW graph (usearch, native)
 * plus a tail of rows not yet in it, which is searched exactly. Rows arrive in any key order (the
 * embeddings' `id`, which several writers commit out of order) and go to the tail first; `indexStep` moves them into the graph a few at a time, so
 * a search between steps is never blocked for long and always sees every row it was given. A release
 * with at most `exactLimit` rows keeps them all in the tail: small spaces are searched exactly.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { VectorIndexError } from '../errors.js';

// usearch's ES module build finds its native addon from a stack trace, which loops forever inside a
// worker thread (where this runs); its CommonJS build finds it from __dirname.
const usearch = createRequire(import.meta.url)('usearch') as typeof import('usearch');
type UsearchIndex = InstanceType<typeof usearch.Index>;

/** HNSW and tail settings; the defaults are the ones measured in `bench/RESULTS.md` ("query"). */
export interface AnnSettings {
  /** HNSW neighbours per node (pgvector's `m`). Default 32. */
  readonly connectivity: number;
  /** Candidate list while inserting (pgvector's `ef_construction`). Default 128. */
  readonly expansionAdd: number;
  /** Candidate list while searching (pgvector's `ef_search`). Default 128. */
  readonly expansionSearch: number;
  /** A release with at most this many rows is searched exactly, without a graph. Default 10,000. */
  readonly exactLimit: number;
}

/**
 * m 32 / ef_construction 128: at 1M clustered 128-d vectors, m 16 / 64 left recall@10 at 0.90–0.95 whatever
 * the search list (parts of the graph unreachable); m 32 / 128 built in 512-row two-thread adds reached
 * 0.963 / 0.992 at ef 64 / 256 (bench/RESULTS.md, query), at about 1.7× the build time.
 */
export const DEFAULT_ANN_SETTINGS: AnnSettings = {
  connectivity: 32,
  expansionAdd: 128,
  expansionSearch: 128,
  exactLimit: 10_000,
};

/** Keys and cosine similarities of a search, best first. */
export interface AnnHits {
  readonly keys: bigint[];
  readonly scores: number[];
}

/** Growable typed storage of the tail: keys, vectors and their norms. */
class Tail {
  keys = new BigUint64Array(1024);
  vectors: Float32Array;
  norms = new Float32Array(1024);
  /** Rows [head, end) are live. */
  head = 0;
  end = 0;

  constructor(readonly dim: number) {
    this.vectors = new Float32Array(1024 * dim);
  }

  get size(): number {
    return this.end - this.head;
  }

  push(key: bigint, vectors: Float32Array, offset: number): void {
    if (this.end === this.keys.length) this.makeRoom();
    const d = this.dim;
    let norm = 0;
    for (let i = 0; i < d; i++) {
      const x = vectors[offset + i]!;
      this.vectors[this.end * d + i] = x;
      norm += x * x;
    }
    this.keys[this.end] = key;
    this.norms[this.end] = Math.sqrt(norm);
    this.end++;
  }

  /** Drops the first `n` live rows. */
  shift(n: number): void {
    this.head += n;
    if (this.head === this.end) this.head = this.end = 0;
  }

  private makeRoom(): void {
    const live = this.size;
    const d = this.dim;
    // Compact when at least half is consumed, else grow.
    const capacity = live * 2 <= this.keys.length ? this.keys.length : this.keys.length * 2;
    const keys = new BigUint64Array(capacity);
    const vectors = new Float32Array(capacity * d);
    const norms = new Float32Array(capacity);
    keys.set(this.keys.subarray(this.head, this.end));
    vectors.set(this.vectors.subarray(this.head * d, this.end * d));
    norms.set(this.norms.subarray(this.head, this.end));
    this.keys = keys;
    this.vectors = vectors;
    this.norms = norms;
    this.head = 0;
    this.end = live;
  }
}

/** Inserts (key, score) into the best-first lists `keys`/`scores` capped at `k`. */
function insertHit(keys: bigint[], scores: number[], k: number, key: bigint, score: number): void {
  if (scores.length === k && score <= scores[k - 1]!) return;
  let i = scores.length;
  while (i > 0 && scores[i - 1]! < score) i--;
  keys.splice(i, 0, key);
  scores.splice(i, 0, score);
  if (scores.length > k) {
    keys.pop();
    scores.pop();
  }
}

export class ReleaseVectors {
  private graph: UsearchIndex | undefined;
  private readonly tail: Tail;
  /** Highest key ever added (kept in snapshots). */
  private lastKey = 0n;
  /** Threads the graph's contexts were sized for at its last growth (1 after a load, to be safe). */
  private graphThreads = 1;
  /** Keys in the tail, so a key given twice is skipped wherever it is (the graph answers for its own). */
  private readonly tailKeys = new Set<bigint>();

  constructor(
    readonly dim: number,
    private readonly settings: AnnSettings = DEFAULT_ANN_SETTINGS,
  ) {
    this.tail = new Tail(dim);
  }

  /** Rows in the graph. */
  get indexed(): number {
    return this.graph === undefined ? 0 : Number(this.graph.size());
  }

  /** Rows waiting in the exactly searched tail. */
  get pending(): number {
    return this.tail.size;
  }

  get size(): number {
    return this.indexed + this.pending;
  }

  /** Appends rows (`vectors` holds `keys.length` vectors of `dim`); returns how many were new. */
  add(keys: BigUint64Array, vectors: Float32Array): number {
    if (vectors.length !== keys.length * this.dim)
      throw new RangeError(`expected ${keys.length} × ${this.dim} values, got ${vectors.length}`);
    let added = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (this.has(key)) continue;
      this.tail.push(key, vectors, i * this.dim);
      this.tailKeys.add(key);
      if (key > this.lastKey) this.lastKey = key;
      added++;
    }
    return added;
  }

  /** Whether the key was added before (it is in the tail or in the graph). */
  private has(key: bigint): boolean {
    return this.tailKeys.has(key) || (this.graph !== undefined && this.graph.contains(key) === true);
  }

  /** Whether the tail holds rows the graph should take (the release is past the exact limit). */
  get wantsIndexing(): boolean {
    return this.tail.size > 0 && this.size > this.settings.exactLimit;
  }

  /**
   * Moves up to `maxRows` rows from the tail into the graph, inserting with `threads` threads; returns how
   * many moved.
   */
  indexStep(maxRows: number, threads = 1): number {
    if (!this.wantsIndexing) return 0;
    const n = Math.min(maxRows, this.tail.size);
    const { head } = this.tail;
    this.graph ??= this.newGraph();
    // usearch sizes its per-thread contexts when its capacity grows (an add that does not fit) and
    // refuses an add with more threads than that ("Reserve capacity ahead of insertions!", seen at 1M
    // rows after one-thread steps had grown it): more threads only when this add grows it.
    const grows = this.graph.size() + n >= this.graph.capacity();
    const use = grows ? threads : Math.min(threads, this.graphThreads);
    this.graph.add(
      this.tail.keys.slice(head, head + n),
      this.tail.vectors.slice(head * this.dim, (head + n) * this.dim),
      use,
    );
    if (grows) this.graphThreads = use;
    for (let i = head; i < head + n; i++) this.tailKeys.delete(this.tail.keys[i]!);
    this.tail.shift(n);
    return n;
  }

  /** The `k` rows most similar to `query` (cosine), graph and tail merged. */
  search(query: Float32Array, k: number): AnnHits {
    if (query.length !== this.dim)
      throw new RangeError(`query has ${query.length} values, expected ${this.dim}`);
    const keys: bigint[] = [];
    const scores: number[] = [];
    if (this.graph !== undefined && this.indexed > 0) {
      const found = this.graph.search(query, k, 1);
      for (let i = 0; i < found.keys.length; i++) {
        insertHit(keys, scores, k, found.keys[i]!, 1 - found.distances[i]!);
      }
    }
    const { tail } = this;
    let queryNorm = 0;
    for (let i = 0; i < this.dim; i++) queryNorm += query[i]! * query[i]!;
    queryNorm = Math.sqrt(queryNorm);
    const d = this.dim;
    for (let r = tail.head; r < tail.end; r++) {
      let dot = 0;
      const base = r * d;
      for (let i = 0; i < d; i++) dot += query[i]! * tail.vectors[base + i]!;
      const denominator = queryNorm * tail.norms[r]!;
      insertHit(keys, scores, k, tail.keys[r]!, denominator > 0 ? dot / denominator : 0);
    }
    return { keys, scores };
  }

  /** Writes the graph and the tail under `dir` with the file stem `name`. */
  async save(dir: string, name: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    if (this.graph !== undefined) this.graph.save(join(dir, `${name}.usearch`));
    const { tail } = this;
    const n = tail.size;
    const header = new BigUint64Array([BigInt(this.dim), BigInt(n), this.lastKey, this.graph ? 1n : 0n]);
    const parts = [
      new Uint8Array(header.buffer),
      new Uint8Array(tail.keys.slice(tail.head, tail.end).buffer),
      new Uint8Array(tail.vectors.slice(tail.head * this.dim, tail.end * this.dim).buffer),
    ];
    await writeFile(join(dir, `${name}.tail`), Buffer.concat(parts));
  }

  /** Reads what `save` wrote. */
  static async load(
    dir: string,
    name: string,
    settings: AnnSettings = DEFAULT_ANN_SETTINGS,
  ): Promise<ReleaseVectors> {
    const bytes = await readFile(join(dir, `${name}.tail`));
    const header = new BigUint64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 32));
    const dim = Number(header[0]);
    const n = Number(header[1]);
    const expected = 32 + n * 8 + n * dim * 4;
    if (bytes.length !== expected)
      throw new VectorIndexError(`${name}.tail: ${bytes.length} bytes, expected ${expected}`);
    const release = new ReleaseVectors(dim, settings);
    if (header[3] === 1n) {
      release.graph = release.newGraph();
      release.graph.load(join(dir, `${name}.usearch`));
    }
    const keys = new BigUint64Array(bytes.buffer.slice(bytes.byteOffset + 32, bytes.byteOffset + 32 + n * 8));
    const vectors = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + 32 + n * 8, bytes.byteOffset + expected),
    );
    release.add(keys, vectors);
    release.lastKey = header[2]!;
    return release;
  }

  private newGraph(): UsearchIndex {
    return new usearch.Index({
      dimensions: this.dim,
      metric: usearch.MetricKind.Cos,
      quantization: usearch.ScalarKind.F32,
      connectivity: this.settings.connectivity,
      expansion_add: this.settings.expansionAdd,
      expansion_search: this.settings.expansionSearch,
      multi: false,
    });
  }
}
