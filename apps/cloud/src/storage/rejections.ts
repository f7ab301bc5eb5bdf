import type { SqlDriver } from './driver.js';
import { storableText } from './storable-text.js';

/** Adds rejection counts by reason, keeping the last detail seen for each. */
export async function addRejections(
  db: SqlDriver,
  counts: ReadonlyMap<string, { count: number; lastDetail: string }>,
): Promise<void> {
  if (counts.size === 0) return;
  const reasons = [...counts.keys()];
  const values = reasons.map((r) => counts.get(r)!);
  await db.query(
    `INSERT INTO ingest_rejections (reason, count, last_detail, last_at)
     SELECT u.r, u.c, u.d, now() FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(r, c, d)
     ON CONFLICT (reason) DO UPDATE SET count = ingest_rejections.count + excluded.count,
       last_detail = excluded.last_detail, last_at = excluded.last_at`,
    [reasons, values.map((v) => v.count), values.map((v) => storableText(v.lastDetail, 500))],
  );
}

/** Rejection counters by reason. */
export async function listRejections(db: SqlDriver): Promise<Record<string, number>> {
  const { rows } = await db.query<{ reason: string; count: number }>(
    'SELECT reason, count::int AS count FROM ingest_rejections ORDER BY reason',
  );
  return Object.fromEntries(rows.map((r) => [r.reason, r.count]));
}
