import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANN_SETTINGS, ReleaseVectors } from './release-vectors.js';

/** Seeded unit vectors around a few centres (a stand-in for model embeddings, not uniform noise). */
function clusteredVectors(n: number, dim: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const centres = Array.from({ length: 8 }, () => Array.from({ length: dim }, random));
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const centre = centres[r % centres.length]!;
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      const x = centre[i]! + 0.3 * random();
      out[r * dim + i] = x;
      norm += x * x;
    }
    for (let i = 0; i < dim; i++) out[r * dim + i]! /= Math.sqrt(norm);
  }
  return out;
}

function keysFrom(first: number, n: number): BigUint64Array {
  return BigUint64Array.from({ length: n }, (_, i) => BigInt(first + i));
}

/** Exact top-k keys by cosine (vectors are unit length), keys starting at 1. */
function exactTop(vectors: Float32Array, dim: number, query: Float32Array, k: number): bigint[] {
  const scored: [bigint, number][] = [];
  for (let r = 0; r < vectors.length / dim; r++) {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += vectors[r * dim + i]! * query[i]!;
    scored.push([BigInt(r + 1), dot]);
  }
  return scored
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([key]) => key);
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('ReleaseVectors', () => {
  const dim = 16;

  it('searches a release below the exact limit exactly, with cosine scores, best first', () => {
    const vectors = clusteredVectors(500, dim, 1);
    const release = new ReleaseVectors(dim);
    expect(release.add(keysFrom(1, 500), vectors)).toBe(500);
    expect(release.wantsIndexing).toBe(false);
    expect(release.indexStep(100)).toBe(0);
    for (let q = 0; q < 20; q++) {
      const query = vectors.slice(q * 25 * dim, (q * 25 + 1) * dim);
      const hits = release.search(query, 10);
      expect(hits.keys).toEqual(exactTop(vectors, dim, query, 10));
      expect(hits.scores[0]).toBeCloseTo(1, 5);
      for (let i = 1; i < hits.scores.length; i++)
        expect(hits.scores[i]!).toBeLessThanOrEqual(hits.scores[i - 1]!);
    }
  });

  it('moves rows into the graph past the exact limit and keeps recall@10 above 0.95 while doing so', () => {
    const n = 3000;
    const vectors = clusteredVectors(n, dim, 2);
    const release = new ReleaseVectors(dim, { ...DEFAULT_ANN_SETTINGS, exactLimit: 1000 });
    release.add(keysFrom(1, n), vectors);
    expect(release.wantsIndexing).toBe(true);
    // Half-way: part in the graph, part in the tail; a search covers both.
    while (release.indexed < n / 2) release.indexStep(64);
    expect(release.pending).toBeGreaterThan(0);
    const recall = () => {
      let hit = 0;
      for (let q = 0; q < 50; q++) {
        const query = vectors.slice(q * 37 * dim, (q * 37 + 1) * dim);
        const exact = new Set(exactTop(vectors, dim, query, 10));
        hit += release.search(query, 10).keys.filter((key) => exact.has(key)).length;
      }
      return hit / 500;
    };
    expect(recall()).toBeGreaterThan(0.95);
    while (release.wantsIndexing) release.indexStep(64);
    expect(release.indexed).toBe(n);
    expect(release.pending).toBe(0);
    expect(recall()).toBeGreaterThan(0.95);
  });

  it('skips keys it already has, in the tail or in the graph, takes older new keys, refuses wrongly shaped input', () => {
    const release = new ReleaseVectors(2, { ...DEFAULT_ANN_SETTINGS, exactLimit: 2 });
    expect(release.add(keysFrom(5, 2), new Float32Array([1, 0, 0, 1]))).toBe(2);
    // Key 6 again is skipped; an older key 3 that it never had is taken (writers commit out of order).
    expect(release.add(BigUint64Array.from([6n, 3n, 7n]), new Float32Array([1, 1, 1, 1, 1, 1]))).toBe(2);
    expect(release.size).toBe(4);
    while (release.wantsIndexing) release.indexStep(2);
    expect(release.indexed).toBe(4);
    // Keys now in the graph are skipped too.
    expect(release.add(BigUint64Array.from([3n, 5n, 8n]), new Float32Array([1, 0, 1, 0, 1, 0]))).toBe(1);
    expect(release.size).toBe(5);
    // Three values for one 2-d row; a 3-d query in a 2-d space.
    expect(() => release.add(keysFrom(9, 1), new Float32Array(3))).toThrow(RangeError);
    expect(() => release.search(new Float32Array(3), 1)).toThrow(RangeError);
  });

  it('saves the graph and the tail and reads them back with the same answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heartline-ann-'));
    dirs.push(dir);
    const vectors = clusteredVectors(1500, dim, 3);
    const settings = { ...DEFAULT_ANN_SETTINGS, exactLimit: 1000 };
    const release = new ReleaseVectors(dim, settings);
    release.add(keysFrom(1, 1500), vectors);
    release.indexStep(1200);
    await release.save(dir, 'r');
    const loaded = await ReleaseVectors.load(dir, 'r', settings);
    expect([loaded.indexed, loaded.pending]).toEqual([1200, 300]);
    const query = vectors.slice(0, dim);
    expect(loaded.search(query, 10)).toEqual(release.search(query, 10));
    // Keys at or below what was saved are still skipped after loading.
    expect(loaded.add(keysFrom(1500, 1), vectors.slice(0, dim))).toBe(0);
  });

  it('refuses a truncated tail file with the byte counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heartline-ann-'));
    dirs.push(dir);
    const release = new ReleaseVectors(4);
    release.add(keysFrom(1, 3), new Float32Array(12).fill(0.5));
    await release.save(dir, 'r');
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(join(dir, 'r.tail'));
    await writeFile(join(dir, 'r.tail'), bytes.subarray(0, bytes.length - 4));
    await expect(ReleaseVectors.load(dir, 'r')).rejects.toThrow(/bytes, expected/);
  });
});

describe('ReleaseVectors with steps of one and two threads', () => {
  it('moves rows into the graph whatever mix of one- and two-thread steps it is given', () => {
    const dim = 8;
    const release = new ReleaseVectors(dim, { ...DEFAULT_ANN_SETTINGS, exactLimit: 10 });
    let key = 1n;
    const add = (n: number) => {
      const keys = BigUint64Array.from({ length: n }, () => key++);
      release.add(
        keys,
        Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i + Number(key))),
      );
    };
    // One-thread steps grow the graph, then two-thread bulk steps must not be refused.
    for (let round = 0; round < 6; round++) {
      add(300);
      release.indexStep(100, 1);
      while (release.wantsIndexing) release.indexStep(64, 2);
    }
    expect(release.indexed).toBe(1800);
  });
});
