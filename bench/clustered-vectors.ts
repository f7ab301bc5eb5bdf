/**
 * Synthetic shared-space vectors shaped like model embeddings rather than uniform noise: unit vectors
 * around cluster centres (diagnoses, devices), varying along a low-dimensional manifold shared by all
 * clusters (heart rate, axis, amplitude…) plus a little isotropic noise. Seeded, so every run and every
 * size draws the same sequence.
 */

/** Parameters of {@link ClusteredVectors}. */
export interface ClusteredVectorOptions {
  readonly dim: number;
  /** Number of clusters. Default 64. */
  readonly clusters?: number;
  /** Dimension of the manifold the vectors vary along. Default 16. */
  readonly manifoldDim?: number;
  readonly seed?: number;
}

/** mulberry32: a small, fast, seeded 32-bit generator. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws clustered unit vectors; `next` fills one vector in place. */
export class ClusteredVectors {
  readonly dim: number;
  private readonly random: () => number;
  private readonly centres: Float32Array[];
  /** `manifoldDim` directions, each of length `dim`. */
  private readonly basis: Float32Array[];
  private readonly latent: Float64Array;

  constructor(options: ClusteredVectorOptions) {
    this.dim = options.dim;
    this.random = uniform(options.seed ?? 1);
    const clusters = options.clusters ?? 64;
    const manifoldDim = options.manifoldDim ?? 16;
    this.centres = Array.from({ length: clusters }, () => this.unit(this.gaussianVector(1)));
    this.basis = Array.from({ length: manifoldDim }, () => this.gaussianVector(1 / Math.sqrt(this.dim)));
    this.latent = new Float64Array(manifoldDim);
  }

  private gaussian(): number {
    // Box–Muller; 1 − u keeps log away from 0.
    const u = 1 - this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }

  private gaussianVector(scale: number): Float32Array {
    const v = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) v[i] = this.gaussian() * scale;
    return v;
  }

  private unit(v: Float32Array): Float32Array {
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
    return v;
  }

  /** Writes the next vector (unit length) into `out` at `offset`. */
  next(out: Float32Array, offset = 0): void {
    const centre = this.centres[Math.floor(this.random() * this.centres.length)]!;
    for (let j = 0; j < this.latent.length; j++) this.latent[j] = this.gaussian();
    const noise = 0.1 / Math.sqrt(this.dim);
    let norm = 0;
    for (let i = 0; i < this.dim; i++) {
      let x = centre[i]! + this.gaussian() * noise;
      for (let j = 0; j < this.basis.length; j++) x += 0.15 * this.latent[j]! * this.basis[j]![i]!;
      out[offset + i] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < this.dim; i++) out[offset + i] = out[offset + i]! / norm;
  }
}

/**
 * Exact top-k by cosine similarity (vectors are unit length, so by dot product) over `n` vectors of
 * `dim` stored row after row: the reference recall is measured against.
 */
export function exactTopK(
  vectors: Float32Array,
  n: number,
  dim: number,
  query: Float32Array,
  k: number,
): number[] {
  const best: { index: number; score: number }[] = [];
  let worst = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < n; r++) {
    const base = r * dim;
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += vectors[base + i]! * query[i]!;
    if (best.length < k || dot > worst) {
      best.push({ index: r, score: dot });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
      worst = best[best.length - 1]!.score;
    }
  }
  return best.map((b) => b.index);
}
