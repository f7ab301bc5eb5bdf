/**
 * The `k` best-scoring items seen so far, for exact searches that stream candidates (a database without
 * pgvector): a sorted array, since k is small (a result page), with a cut-off that skips most inserts.
 */
export class TopK<T> {
  private readonly items: { item: T; score: number }[] = [];

  constructor(private readonly k: number) {}

  /** Lowest score still kept once full; -Infinity until then. */
  get threshold(): number {
    return this.items.length < this.k ? Number.NEGATIVE_INFINITY : this.items[this.items.length - 1]!.score;
  }

  offer(item: T, score: number): void {
    if (this.k <= 0 || !(score > this.threshold)) return;
    let at = this.items.length;
    while (at > 0 && this.items[at - 1]!.score < score) at--;
    this.items.splice(at, 0, { item, score });
    if (this.items.length > this.k) this.items.pop();
  }

  /** Best first. */
  result(): { item: T; score: number }[] {
    return [...this.items];
  }
}

/** Cosine similarity of `query` (with its norm given) and `v`; 0 when either is all zeros. */
export function cosine(query: Float32Array, queryNorm: number, v: ArrayLike<number>): number {
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < query.length; i++) {
    const x = v[i]!;
    dot += query[i]! * x;
    norm += x * x;
  }
  return queryNorm === 0 || norm === 0 ? 0 : dot / (queryNorm * Math.sqrt(norm));
}

/** Euclidean norm. */
export function norm(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return Math.sqrt(sum);
}
