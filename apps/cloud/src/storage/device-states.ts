import type { FleetDevice } from '../http/routes/devices.js';
import type { SqlDriver } from './driver.js';

/** One device of the fleet: its registration and the last state it published (null fields when none). */
export type { FleetDevice };

/**
 * Stores a device's state message. A full state replaces the stored one; a bare offline message (the
 * last will) only marks the device offline and keeps what it last reported. `deviceId` must be the
 * authenticated device (its topic's id), never an id read from the payload.
 */
export async function upsertDeviceState(
  db: Pick<SqlDriver, 'query'>,
  deviceId: string,
  state: { readonly online: boolean },
  bareOffline: boolean,
): Promise<void> {
  if (bareOffline) {
    await db.query(
      `INSERT INTO device_states (device_id, online, state) VALUES ($1, false, $2::jsonb)
       ON CONFLICT (device_id) DO UPDATE SET online = false, last_seen = now()`,
      [deviceId, JSON.stringify(state)],
    );
    return;
  }
  await db.query(
    `INSERT INTO device_states (device_id, online, state) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (device_id) DO UPDATE SET online = excluded.online, state = excluded.state, last_seen = now()`,
    [deviceId, state.online, JSON.stringify(state)],
  );
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** Every registered device with its last state, by id. */
export async function listFleet(db: SqlDriver): Promise<FleetDevice[]> {
  const { rows } = await db.query<FleetDevice>(
    `SELECT d.id, d.channel, d.revoked, coalesce(s.online, false) AS online,
            s.state->>'release' AS release, s.state->>'previousRelease' AS "previousRelease",
            (s.state->>'encoded')::float8 AS encoded, (s.state->>'sent')::float8 AS sent,
            (s.state->>'queued')::float8 AS queued, (s.state->>'dropped')::float8 AS dropped,
            to_char(to_timestamp((s.state->>'lastWindowT0')::float8 / 1000.0) AT TIME ZONE 'UTC', ${ISO}) AS "lastWindowT0",
            (s.state->>'quality')::float8 AS quality, s.state->'update' AS update,
            to_char(s.last_seen AT TIME ZONE 'UTC', ${ISO}) AS "lastSeen"
     FROM devices d LEFT JOIN device_states s ON s.device_id = d.id ORDER BY d.id`,
  );
  return rows;
}
