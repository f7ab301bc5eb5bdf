import { addDevice, DEVICE_ID } from '@heartline/cloud';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';
import { withStorage } from '../with-storage.js';

const usage = `usage: heartline device-add --id ID [--channel stable|canary|…] [--data DIR]

Registers a device with the cloud (or issues a new secret for a known one, revoking the old secret) and
prints its secret once: the device logs in to the broker with user name ID and this secret.
Uses DATABASE_URL when set, else the embedded database in DIR (default .heartline/cloud).`;

/** `heartline device-add`: registers a device and prints its broker secret. */
export const deviceAddCommand: Command = {
  name: 'device-add',
  summary: 'register a device with the cloud and print its broker secret',
  usage,
  async run(argv, io, env) {
    const { values, positionals } = parseOptions(argv, {
      id: { type: 'string' },
      channel: { type: 'string', default: 'stable' },
      data: { type: 'string', default: '.heartline/cloud' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.id || !DEVICE_ID.test(values.id)) {
      throw new UsageError(`--id must be 1–64 characters of [A-Za-z0-9._-], got '${values.id ?? ''}'`);
    }
    if (!DEVICE_ID.test(values.channel))
      throw new UsageError(`--channel must be a plain name, got '${values.channel}'`);
    const { id, channel } = values;
    io.stdout(`${await withStorage(values.data, env.databaseUrl, (db) => addDevice(db, id, channel))}\n`);
    return 0;
  },
};
