/**
 * Counts rejected messages by a stable reason, logs each one, and hands the counts accumulated since the
 * last call to whoever persists them.
 */
export class RejectionCounter {
  private readonly totals = new Map<string, number>();
  private pending = new Map<string, { count: number; lastDetail: string }>();

  constructor(
    private readonly log: (line: string) => void,
    /** Told the reason of each rejection as it is counted (metrics). Default: nothing. */
    private readonly onRejected: (reason: string) => void = () => undefined,
  ) {}

  /** Records one rejection. */
  add(reason: string, detail: string): void {
    this.totals.set(reason, (this.totals.get(reason) ?? 0) + 1);
    this.onRejected(reason);
    const p = this.pending.get(reason);
    if (p) {
      p.count++;
      p.lastDetail = detail;
    } else {
      this.pending.set(reason, { count: 1, lastDetail: detail });
    }
    this.log(`ingest: rejected (${reason}): ${detail.slice(0, 300)}`);
  }

  /** Counts per reason since this process started. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }

  /** Counts since the last call, emptying them. */
  takePending(): Map<string, { count: number; lastDetail: string }> {
    const taken = this.pending;
    this.pending = new Map();
    return taken;
  }

  /** Puts counts back after a failed persist so none are lost. */
  restore(counts: ReadonlyMap<string, { count: number; lastDetail: string }>): void {
    for (const [reason, c] of counts) {
      const p = this.pending.get(reason);
      if (p) p.count += c.count;
      else this.pending.set(reason, { ...c });
    }
  }
}
