import { resolve } from 'node:path';
import { createToken, openStorage, ROLES, type Role } from '@heartline/cloud';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline token --role viewer|operator|admin [--label TEXT] [--data DIR]

Creates a bearer token for the cloud's HTTP API and prints it once (only its hash is stored).
viewer: queries; operator: also records import, devices, training, releases, rollout; admin: everything.
Uses DATABASE_URL when set, else the embedded database in DIR (default .heartline/cloud).`;

/** `heartline token`: issues an API bearer token. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'issue a bearer token (viewer, operator, admin) for the cloud API',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      role: { type: 'string' },
      label: { type: 'string' },
      data: { type: 'string', default: '.heartline/cloud' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const role = values.role as Role | undefined;
    if (!role || !ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const db = await openStorage({
      dataDir: resolve(values.data),
      databaseUrl: process.env['DATABASE_URL'] || undefined,
    });
    try {
      io.stdout(`${await createToken(db, role, values.label)}\n`);
    } finally {
      await db.close();
    }
    return 0;
  },
};
