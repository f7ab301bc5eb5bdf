import { BadRequestError } from '../errors.js';
import { mosquittoHash } from '../security/mosquitto-hash.js';
import { hashSecret, newSecret } from '../security/secrets.js';
import type { SqlDriver } from './driver.js';

/** A registered device as the broker and ingest see it. */
export interface DeviceRow {
  readonly id: string;
  readonly secretHash: string;
  readonly mosquittoHash: string;
  /** Release channel the device follows (`stable`, `canary`…). */
  readonly channel: string;
  readonly revoked: boolean;
}

/** Device ids: the wire's id alphabet, so an id is always safe inside an MQTT topic. */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Ids no device may be registered under: `hl-…` (broker client ids are `hl-dev-<id>` and the cloud's own
 * `hl-cloud-…`, so a device id never reads like one) and `cloud` (the cloud's user on an external broker).
 */
export const RESERVED_DEVICE_ID = /^(?:hl-|cloud$)/i;

/**
 * Registers a device (or issues a new secret for an existing one, which revokes the old secret) and
 * returns the plain secret: the only time it exists outside the device.
 */
export async function addDevice(db: SqlDriver, id: string, channel?: string): Promise<string> {
  if (!DEVICE_ID.test(id) || RESERVED_DEVICE_ID.test(id)) {
    throw new BadRequestError(
      `device id '${id}' is not allowed (1–64 of [A-Za-z0-9._-], not hl-… nor cloud)`,
    );
  }
  // The prefix marks what it is (for secret scanners) and keeps a secret from starting with '-', which
  // command lines would read as an option (`--secret -x…`).
  const secret = newSecret('hld_');
  await db.query(
    // A known device keeps its channel unless one is given (re-registering a canary device must not
    // quietly move it to stable).
    `INSERT INTO devices (id, secret_hash, mosquitto_hash, channel) VALUES ($1, $2, $3, COALESCE($4, 'stable'))
     ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash,
       mosquitto_hash = excluded.mosquitto_hash, channel = COALESCE($4, devices.channel), revoked = false`,
    [id, await hashSecret(secret), mosquittoHash(secret), channel ?? null],
  );
  return secret;
}

const COLUMNS = `id, secret_hash AS "secretHash", mosquitto_hash AS "mosquittoHash", channel, revoked`;

/** One device, or undefined when unknown. */
export async function findDevice(db: SqlDriver, id: string): Promise<DeviceRow | undefined> {
  const { rows } = await db.query<DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE id = $1`, [id]);
  return rows[0];
}

/** Every device, by id. */
export async function listDevices(db: SqlDriver): Promise<DeviceRow[]> {
  return (await db.query<DeviceRow>(`SELECT ${COLUMNS} FROM devices ORDER BY id`)).rows;
}

/**
 * Moves a known device to release channel `channel` (the caller validated the name); false when the id is
 * unknown. The broker reads the channel at login; a live session is told by the caller.
 */
export async function setDeviceChannel(db: SqlDriver, id: string, channel: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE devices SET channel = $2 WHERE id = $1 RETURNING id`,
    [id, channel],
  );
  return rows.length > 0;
}

/** Marks a device revoked (its logins fail from now on); false when the id is unknown. */
export async function revokeDeviceRow(db: SqlDriver, id: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE devices SET revoked = true WHERE id = $1 RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

/**
 * Gives a known device a new secret (the old one stops working; a revoked device stays revoked) and
 * returns it, the only time it exists outside the device; undefined when the id is unknown.
 */
export async function replaceDeviceSecret(db: SqlDriver, id: string): Promise<string | undefined> {
  const secret = newSecret('hld_');
  const { rows } = await db.query<{ id: string }>(
    `UPDATE devices SET secret_hash = $2, mosquitto_hash = $3 WHERE id = $1 RETURNING id`,
    [id, await hashSecret(secret), mosquittoHash(secret)],
  );
  return rows.length > 0 ? secret : undefined;
}
