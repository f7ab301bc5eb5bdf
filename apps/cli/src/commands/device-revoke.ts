import { resolve } from 'node:path';
import {
  DEVICE_ID,
  listDevices,
  refreshMosquittoCredentials,
  revokeDevice,
  rotateDeviceSecret,
  type SqlDriver,
} from '@heartline/cloud';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { CloudUnreachableError } from '../errors.js';
import { parseOptions } from '../run-cli.js';
import { withStorage } from '../with-storage.js';

const where = `Without --cloud: changes the database directly (DATABASE_URL when set, else the embedded database in
DIR, default .heartline/cloud, while the cloud is stopped); a running cloud on a shared PostgreSQL
refuses the device's next login but does not close its live session.
With --cloud URL: asks that running cloud (token with the operator role in HEARTLINE_TOKEN), whose
embedded broker closes the device's sessions at once.
With an external mosquitto (MQTT_URL), --mosquitto DIR (the folder \`heartline cloud --write-mosquitto\`
wrote) rewrites its passwords and acl from the database, and --mosquitto-pid PID makes mosquitto reload
them (SIGHUP): it then closes the device's session and refuses the old credentials. Without the reload,
mosquitto keeps accepting them.`;

const revokeUsage = `usage: heartline device-revoke --id ID [--data DIR | --cloud URL]
                               [--mosquitto DIR [--mosquitto-pid PID]]

Revokes a device: its broker logins are refused from now on (re-register it with \`heartline device-add\`
to issue it a new secret and lift the revocation).
${where}`;

const rotateUsage = `usage: heartline device-rotate --id ID [--data DIR | --cloud URL]
                               [--mosquitto DIR [--mosquitto-pid PID]]

Issues a known device a new secret and prints it once; the old secret stops working (a revoked device
stays revoked).
${where}`;

interface Parsed {
  readonly id: string;
  readonly data: string;
  readonly cloud: string | undefined;
  readonly mosquitto: string | undefined;
  readonly mosquittoPid: number | undefined;
}

function parse(argv: readonly string[]): Parsed {
  const { values, positionals } = parseOptions(argv, {
    id: { type: 'string' },
    data: { type: 'string', default: '.heartline/cloud' },
    cloud: { type: 'string' },
    mosquitto: { type: 'string' },
    'mosquitto-pid': { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.id || !DEVICE_ID.test(values.id)) {
    throw new UsageError(`--id must be 1–64 characters of [A-Za-z0-9._-], got '${values.id ?? ''}'`);
  }
  if (values.cloud && values.mosquitto)
    throw new UsageError('--mosquitto works on the database, not with --cloud');
  const pidText = values['mosquitto-pid'];
  if (pidText !== undefined && (!values.mosquitto || !/^[1-9]\d{0,9}$/.test(pidText))) {
    throw new UsageError(`--mosquitto-pid needs --mosquitto and a process id, got '${pidText}'`);
  }
  return {
    id: values.id,
    data: values.data,
    cloud: values.cloud,
    mosquitto: values.mosquitto ? resolve(values.mosquitto) : undefined,
    mosquittoPid: pidText === undefined ? undefined : Number(pidText),
  };
}

/** After a change in the database: the mosquitto files rewritten and reloaded, when asked for. */
async function syncMosquitto(db: SqlDriver, parsed: Parsed, io: CommandIo): Promise<void> {
  if (!parsed.mosquitto) return;
  const done = await refreshMosquittoCredentials(parsed.mosquitto, await listDevices(db), {
    pid: parsed.mosquittoPid,
  });
  io.stderr(
    `mosquitto: ${done.devices} devices in ${parsed.mosquitto}/passwords; ` +
      (done.reloaded ? `reloaded (SIGHUP to ${parsed.mosquittoPid})\n` : 'reload it (SIGHUP) to apply\n'),
  );
}

/** POSTs to the running cloud's device route; the parsed JSON body, or an error line and undefined. */
async function callCloud(
  cloud: string,
  id: string,
  action: string,
  io: CommandIo,
  token: string | undefined,
): Promise<unknown> {
  if (!token) throw new UsageError('--cloud needs an operator token in HEARTLINE_TOKEN');
  const url = new URL(
    `api/v1/devices/${encodeURIComponent(id)}/${action}`,
    cloud.endsWith('/') ? cloud : `${cloud}/`,
  );
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    const why = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    throw new CloudUnreachableError(`${cloud} did not answer: ${why}`, { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!response.ok) {
    io.stderr(
      `device ${action}: HTTP ${response.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}\n`,
    );
    return undefined;
  }
  return body;
}

/** `heartline device-revoke`: revokes a device's broker credentials. */
export const deviceRevokeCommand: Command = {
  name: 'device-revoke',
  summary: 'revoke a device: its broker logins are refused (and with --cloud its sessions closed)',
  usage: revokeUsage,
  async run(argv, io, env) {
    const parsed = parse(argv);
    const { id, data, cloud } = parsed;
    const revoked = cloud
      ? (await callCloud(cloud, id, 'revoke', io, env.token)) !== undefined
      : await withStorage(data, env.databaseUrl, async (db) => {
          const known = await revokeDevice(db, id);
          if (known) await syncMosquitto(db, parsed, io);
          return known;
        });
    if (!revoked) {
      if (!cloud) io.stderr(`device-revoke: no device '${id}'\n`);
      return 1;
    }
    io.stdout(`revoked ${id}\n`);
    return 0;
  },
};

/** `heartline device-rotate`: issues a device a new secret. */
export const deviceRotateCommand: Command = {
  name: 'device-rotate',
  summary: 'issue a device a new broker secret and print it once; the old one stops working',
  usage: rotateUsage,
  async run(argv, io, env) {
    const parsed = parse(argv);
    const { id, data, cloud } = parsed;
    const secret = cloud
      ? ((await callCloud(cloud, id, 'rotate-secret', io, env.token)) as { secret?: string } | undefined)
          ?.secret
      : await withStorage(data, env.databaseUrl, async (db) => {
          const fresh = await rotateDeviceSecret(db, id);
          if (fresh !== undefined) await syncMosquitto(db, parsed, io);
          return fresh;
        });
    if (secret === undefined) {
      if (!cloud) io.stderr(`device-rotate: no device '${id}'\n`);
      return 1;
    }
    io.stdout(`${secret}\n`);
    return 0;
  },
};
