/**
 * Operator actions on a device's broker credentials, revoking it and rotating its secret, and the
 * notification that follows each: whoever holds state derived from a device's credentials (the embedded
 * broker's live sessions, the ingest's cache of known devices) subscribes with
 * {@link onDeviceCredentialsChanged} and is told once the database has the change.
 *
 * Listeners are kept per database handle, so the HTTP routes, the CLI and the broker of one cloud
 * instance meet without being wired to each other. Other instances sharing a PostgreSQL server are not
 * told: their live sessions end only when the device reconnects (the login reads the database).
 */

import { addDevice, replaceDeviceSecret, revokeDeviceRow } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';

/** What changed about a device's credentials. */
export interface DeviceCredentialChange {
  readonly deviceId: string;
  /** `revoked`: refused from now on; `secret-rotated`: the old secret no longer works. */
  readonly kind: 'revoked' | 'secret-rotated';
}

type Listener = (change: DeviceCredentialChange) => void;

const listeners = new WeakMap<SqlDriver, Set<Listener>>();

/** Calls `listener` after every revocation or rotation made through this module on `db`; returns the unsubscribe. */
export function onDeviceCredentialsChanged(db: SqlDriver, listener: Listener): () => void {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

function notify(db: SqlDriver, change: DeviceCredentialChange): void {
  for (const listener of listeners.get(db) ?? []) {
    try {
      listener(change);
    } catch {
      // One listener's failure must not keep the others from hearing of a revocation.
    }
  }
}

/** Revokes a device and tells the listeners; false when the id is unknown. */
export async function revokeDevice(db: SqlDriver, deviceId: string): Promise<boolean> {
  if (!(await revokeDeviceRow(db, deviceId))) return false;
  notify(db, { deviceId, kind: 'revoked' });
  return true;
}

/** Gives a device a new secret, tells the listeners and returns the secret (once); undefined when unknown. */
export async function rotateDeviceSecret(db: SqlDriver, deviceId: string): Promise<string | undefined> {
  const secret = await replaceDeviceSecret(db, deviceId);
  if (secret !== undefined) notify(db, { deviceId, kind: 'secret-rotated' });
  return secret;
}

/**
 * Registers a device or, for a known id, issues it a new secret (lifting a revocation): `addDevice`, then
 * the listeners are told as for a rotation, so sessions opened with the old secret close.
 */
export async function registerDevice(db: SqlDriver, deviceId: string, channel?: string): Promise<string> {
  const secret = await addDevice(db, deviceId, channel);
  notify(db, { deviceId, kind: 'secret-rotated' });
  return secret;
}
