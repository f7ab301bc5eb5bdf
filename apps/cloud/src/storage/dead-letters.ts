import type { SqlDriver } from './driver.js';
import { storableText } from './storable-text.js';

/** One message the ingest refused for good, kept with its raw payload for inspection. */
export interface DeadLetter {
  readonly topic: string;
  /** The authenticated device the topic names, when it names one. */
  readonly deviceId: string | undefined;
  /** The rejection's stable reason (as counted in `ingest_rejections`). */
  readonly reason: string;
  readonly detail: string;
  readonly payload: Uint8Array;
}

/** A stored dead letter. */
export interface StoredDeadLetter extends DeadLetter {
  readonly id: number;
  readonly received: string;
}

/** Largest payload kept per dead letter, bytes (the broker refuses bigger messages anyway). */
const MAX_PAYLOAD_BYTES = 65_536;

/**
 * Stores dead letters in one statement and trims the table to the newest `keep` rows, so a device that
 * sends garbage forever cannot fill the disk through this table.
 */
export async function addDeadLetters(
  db: Pick<SqlDriver, 'query'>,
  letters: readonly DeadLetter[],
  keep = 10_000,
): Promise<void> {
  if (letters.length === 0) return;
  await db.query(
    `INSERT INTO ingest_dead_letters (topic, device_id, reason, detail, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[])`,
    [
      letters.map((l) => storableText(l.topic, 200)),
      letters.map((l) => (l.deviceId === undefined ? null : storableText(l.deviceId, 64))),
      letters.map((l) => storableText(l.reason, 64)),
      letters.map((l) => storableText(l.detail, 1000)),
      letters.map((l) => l.payload.subarray(0, MAX_PAYLOAD_BYTES)),
    ],
  );
  await db.query(
    `DELETE FROM ingest_dead_letters WHERE id <= (SELECT max(id) FROM ingest_dead_letters) - $1`,
    [keep],
  );
}

/** The newest dead letters, newest first (optionally of one device). */
export async function listDeadLetters(
  db: Pick<SqlDriver, 'query'>,
  options: { deviceId?: string; limit?: number } = {},
): Promise<StoredDeadLetter[]> {
  const limit = Math.min(Math.max(1, options.limit ?? 100), 1000);
  const { rows } = await db.query<{
    id: number;
    received: string;
    topic: string;
    device_id: string | null;
    reason: string;
    detail: string;
    payload: Uint8Array;
  }>(
    `SELECT id::float8 AS id, to_char(received AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received,
            topic, device_id, reason, detail, payload
     FROM ingest_dead_letters ${options.deviceId === undefined ? '' : 'WHERE device_id = $2'}
     ORDER BY id DESC LIMIT $1`,
    options.deviceId === undefined ? [limit] : [limit, options.deviceId],
  );
  return rows.map((r) => ({
    id: r.id,
    received: r.received,
    topic: r.topic,
    deviceId: r.device_id ?? undefined,
    reason: r.reason,
    detail: r.detail,
    payload: new Uint8Array(r.payload),
  }));
}
