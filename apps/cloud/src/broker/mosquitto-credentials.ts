/**
 * Revocation and secret rotation on the external mosquitto path. mosquitto does not read the cloud's
 * database: it knows devices only from the generated `passwords` and `acl` files, so a revocation or a new
 * secret takes effect there once those files are rewritten and mosquitto reloads them (SIGHUP). On reload
 * mosquitto 2.0 re-checks its connected clients and disconnects those whose user is gone or whose password
 * no longer matches, so a revoked device loses its session then and is refused afterwards.
 *
 * This rewrites the two files from the database (revoked devices left out), keeping the cloud's own line
 * of the current password file (its plain password is not needed), and sends the SIGHUP when given
 * mosquitto's process id. `mosquitto.conf` is left alone.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BrokerSetupError } from '../errors.js';
import type { DeviceRow } from '../storage/devices.js';
import { type MosquittoUser, mosquittoAclFile, mosquittoPasswordFile } from './mosquitto-config.js';

/** What {@link refreshMosquittoCredentials} did. */
export interface MosquittoRefresh {
  /** Devices now in the password file. */
  readonly devices: number;
  /** Whether mosquitto was sent SIGHUP. */
  readonly reloaded: boolean;
}

async function replaceFile(path: string, text: string, mode: number): Promise<void> {
  // Write beside and rename: mosquitto reloading at the same moment reads the old or the new file whole.
  const next = `${path}.next`;
  await writeFile(next, text, { mode });
  await rename(next, path);
}

/**
 * Rewrites `dir/passwords` and `dir/acl` (written before by `writeMosquittoFiles`) for `devices`, leaving
 * out revoked ones, and sends mosquitto (`pid`) SIGHUP to reload them.
 */
export async function refreshMosquittoCredentials(
  dir: string,
  devices: readonly Pick<DeviceRow, 'id' | 'mosquittoHash' | 'channel' | 'revoked'>[],
  options: { pid?: number | undefined } = {},
): Promise<MosquittoRefresh> {
  const current = await readFile(join(dir, 'passwords'), 'utf8');
  const cloudLine = current.split('\n').find((line) => line.startsWith('cloud:'));
  if (!cloudLine)
    throw new BrokerSetupError(`${join(dir, 'passwords')} has no 'cloud' user: write the files first`);
  const active = devices.filter((d) => !d.revoked);
  const users: MosquittoUser[] = [
    { username: 'cloud', hash: cloudLine.slice('cloud:'.length) },
    ...active.map((d) => ({ username: d.id, hash: d.mosquittoHash, channel: d.channel })),
  ];
  await replaceFile(join(dir, 'passwords'), mosquittoPasswordFile(users), 0o600);
  await replaceFile(join(dir, 'acl'), mosquittoAclFile(users), 0o644);
  if (options.pid !== undefined) process.kill(options.pid, 'SIGHUP');
  return { devices: active.length, reloaded: options.pid !== undefined };
}
