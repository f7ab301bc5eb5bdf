/**
 * Gives every stored clinical record a vector in every release's shared space. Records are encoded with
 * the releases known when they are imported; a release registered later (a training job, another
 * instance, `POST /releases`) would otherwise search none of the reports stored before it. This encodes,
 * for each release the catalog reports as new, the records that have no vector in its space yet, in
 * batches, one release at a time. Idempotent: a record that got its vector meanwhile is skipped.
 */
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { vectorText } from '../storage/vector-text.js';

const BATCH = 256;

export class RecordVectorBackfill {
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();
  private closed = false;

  constructor(
    private readonly db: SqlDriver,
    private readonly releases: ReleaseCatalog,
    private readonly log: (line: string) => void,
  ) {}

  /** Schedules the release's missing record vectors; resolves when they are stored (never rejects). */
  request(releaseId: string): Promise<void> {
    if (this.pending.has(releaseId)) return this.queue;
    this.pending.add(releaseId);
    this.queue = this.queue.then(async () => {
      this.pending.delete(releaseId);
      try {
        const encoded = await this.encodeMissing(releaseId);
        if (encoded > 0) this.log(`cloud: ${encoded} stored reports encoded in release ${releaseId}'s space`);
      } catch (error) {
        this.log(
          `cloud: could not encode stored reports for release ${releaseId}: ${(error as Error).message}`,
        );
      }
    });
    return this.queue;
  }

  /** Resolves when every requested release is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Stops after the batch in progress (the rest is encoded at the next start). */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  /** Encodes the records without a vector in `releaseId`'s space; returns how many. */
  private async encodeMissing(releaseId: string): Promise<number> {
    let encoded = 0;
    let after = '';
    while (!this.closed) {
      const { rows } = await this.db.query<{ id: string; text: string }>(
        `SELECT r.id, r.text FROM clinical_records r
         WHERE r.id > $2 AND NOT EXISTS
           (SELECT 1 FROM record_vectors v WHERE v.record_id = r.id AND v.release = $1)
         ORDER BY r.id LIMIT ${BATCH}`,
        [releaseId, after],
      );
      if (rows.length === 0) return encoded;
      const model = await this.releases.model(releaseId);
      const z = model.encodeText(rows.map((r) => r.text));
      const dim = model.sharedDim;
      await this.db.query(
        `INSERT INTO record_vectors (record_id, release, z)
         SELECT u.id, $2, u.z::real[] FROM unnest($1::text[], $3::text[]) AS u(id, z)
         ON CONFLICT (record_id, release) DO NOTHING`,
        [rows.map((r) => r.id), releaseId, rows.map((_, i) => vectorText(z, i * dim, dim))],
      );
      encoded += rows.length;
      after = rows.at(-1)!.id;
    }
    return encoded;
  }
}
