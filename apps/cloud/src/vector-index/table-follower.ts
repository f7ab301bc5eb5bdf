/**
 * Follows the `embeddings` table for the in-process vector index: every committed row handed over once,
 * whichever instance wrote it and in whatever order the writers commit.
 *
 * Ids cannot say what is new when several instances insert at once: sequence values are taken at insert
 * and commit out of order, so a row with a smaller id can become visible after a larger one was read.
 * Each row carries the id of the transaction that wrote it (`xid`, migration 11). Every transaction older
 * than the oldest one still running (`pg_snapshot_xmin`) has finished, so its rows are final. A pass
 * notes that horizon first, then reads every row of a transaction at or above the previous horizon (the
 * window) that it has not handed over yet, and moves the floor to the noted horizon: a transaction
 * running when the horizon was noted is at or above it, so its rows are read by a later pass. The window
 * is the rows of recent transactions; a long-running transaction keeps it open, costing a re-scan of
 * keys (not vectors) until it ends.
 */
import type { SqlDriver } from '../storage/driver.js';
import { vectorValues } from '../storage/vector-text.js';

/** A row to index: its id, release and shared vector. */
export interface FollowedRow {
  readonly key: bigint;
  readonly release: string;
  /** The vector's values. */
  readonly z: readonly number[];
}

/** Where a follower stands: the floor and the rows of the window already handed over (id → xid). */
export interface FollowerPosition {
  readonly floor: bigint;
  readonly seen: ReadonlyMap<bigint, bigint>;
  /**
   * A position of the index before it followed by transaction: every row with an id up to this was
   * handed over (it followed ids with one writer). Undefined once a pass has completed.
   */
  readonly legacyMaxId?: bigint | undefined;
}

/** The position from its text form ({@link TableFollower.positionText}); a bare id is a legacy mark. */
export function parsePosition(text: string | undefined): FollowerPosition {
  if (text === undefined || text === '') return { floor: 0n, seen: new Map() };
  if (/^\d+$/.test(text)) return { floor: 0n, seen: new Map(), legacyMaxId: BigInt(text) };
  const parsed = JSON.parse(text) as { floor: string; seen: [string, string][] };
  return {
    floor: BigInt(parsed.floor),
    seen: new Map(parsed.seen.map(([id, xid]) => [BigInt(id), BigInt(xid)])),
  };
}

export class TableFollower {
  private floor: bigint;
  private readonly seen: Map<bigint, bigint>;
  private legacyMaxId: bigint;
  /** Rows handed over by the last completed pass. */
  lastPassRows = 0;

  constructor(
    private readonly db: Pick<SqlDriver, 'query'>,
    position: FollowerPosition = { floor: 0n, seen: new Map() },
  ) {
    this.floor = position.floor;
    this.seen = new Map(position.seen);
    this.legacyMaxId = position.legacyMaxId ?? 0n;
  }

  /** The position as text, for a snapshot taken after everything handed over so far is in it. */
  positionText(): string {
    return JSON.stringify({
      floor: this.floor.toString(),
      seen: [...this.seen].map(([id, xid]) => [id.toString(), xid.toString()]),
      ...(this.legacyMaxId > 0n ? { legacyMaxId: this.legacyMaxId.toString() } : {}),
    });
  }

  /** Rows of the window already handed over (kept until the floor passes their transaction). */
  get windowRows(): number {
    return this.seen.size;
  }

  /**
   * Hands every row committed before this call and not handed over yet to `take`, `pageRows` at a time.
   * Stops between pages when `stop()` says so (the floor then stays, so nothing is skipped). Returns the
   * number of rows handed over.
   */
  async pass(
    take: (rows: FollowedRow[]) => void | Promise<void>,
    pageRows: number,
    stop: () => boolean = () => false,
  ): Promise<number> {
    const { rows: horizon } = await this.db.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    const next = BigInt(horizon[0]!.xmin);
    let afterXid = this.floor;
    let afterId = -1n;
    let handed = 0;
    // Rows handed over by earlier passes; those of this pass lie behind the keyset and never come back.
    const earlier = [...this.seen.keys()].map(String);
    for (;;) {
      if (stop()) return handed;
      // Keyset over (xid, id), the index's order; rows handed over already are skipped in the database
      // (a hashed `<> ALL`), so their vectors are not read again.
      const { rows } = await this.db.query<{
        key: string;
        tx: string;
        release: string | null;
        z: string | null;
      }>(
        // The output columns must not be called `id` or `xid`: ORDER BY would take the text output
        // column and sort every row of the window on each page (1M rows: 749 s instead of a walk of
        // the (xid, id) index).
        `SELECT id::text AS key, xid::text AS tx,
                CASE WHEN id <> ALL($3::bigint[]) AND id > $5::bigint THEN release END AS release,
                CASE WHEN id <> ALL($3::bigint[]) AND id > $5::bigint THEN z::text END AS z
         FROM embeddings WHERE (xid, id) > ($1::xid8, $2::bigint)
         ORDER BY embeddings.xid, embeddings.id LIMIT $4`,
        [afterXid.toString(), afterId.toString(), earlier, pageRows, this.legacyMaxId.toString()],
      );
      if (rows.length === 0) break;
      const fresh: FollowedRow[] = [];
      for (const row of rows) {
        if (row.z === null || row.release === null) continue;
        fresh.push({ key: BigInt(row.key), release: row.release, z: vectorValues(row.z) });
      }
      if (fresh.length > 0) await take(fresh);
      for (const row of rows) {
        if (row.z !== null) this.seen.set(BigInt(row.key), BigInt(row.tx));
      }
      handed += fresh.length;
      const last = rows.at(-1)!;
      afterXid = BigInt(last.tx);
      afterId = BigInt(last.key);
      if (rows.length < pageRows) break;
    }
    // Every transaction below the horizon had finished before the pages were read: their rows are all in.
    this.floor = next > this.floor ? next : this.floor;
    for (const [id, xid] of this.seen) if (xid < this.floor) this.seen.delete(id);
    this.legacyMaxId = 0n;
    this.lastPassRows = handed;
    return handed;
  }
}
