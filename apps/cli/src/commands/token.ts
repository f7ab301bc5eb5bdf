import { issueToken, listTokens, ROLES, type Role, revokeToken, type TokenInfo } from '@heartline/cloud';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';
import { withStorage } from '../with-storage.js';

const usage = `usage: heartline token --role viewer|clinician|operator|admin [--ttl DURATION] [--label TEXT] [--data DIR]
       heartline token list [--data DIR]
       heartline token revoke ID [--data DIR]

Creates a bearer token for the cloud's HTTP API and prints it once (only its hash is stored); its id
goes to stderr. viewer: queries; clinician: also signs reports off; operator: also records import,
devices, training, releases, rollout; admin: everything, including tokens and the audit log.
--ttl: lifetime as a number and a unit: 30m, 12h, 30d (s, m, h, d, w); default: never expires.
list: every token (id, role, label, created, expires, revoked), never a token or its hash.
revoke: the token with that id stops working at once.
Uses DATABASE_URL when set, else the embedded database in DIR (default .heartline/cloud).`;

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
/** Longest `--ttl` accepted (ten years). */
const MAX_TTL_MS = 10 * 365 * UNIT_MS['d']!;

/** Parses a duration like `30m`, `12h`, `30d` (units s, m, h, d, w) into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
  if (!(ms > 0 && ms <= MAX_TTL_MS)) {
    throw new UsageError(
      `--ttl '${text}': expected a positive number and a unit (30m, 12h, 30d), at most 10 years`,
    );
  }
  return ms;
}

/** One table row per token: id, role, label, created, expires, revoked. */
function printTokens(io: CommandIo, tokens: readonly TokenInfo[]): void {
  const rows = [
    ['ID', 'ROLE', 'LABEL', 'CREATED', 'EXPIRES', 'REVOKED'],
    ...tokens.map((t) => [
      t.id,
      t.role,
      t.label ?? '-',
      t.created,
      t.expiresAt ?? 'never',
      t.revokedAt ?? '-',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    io.stdout(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}

/** `heartline token`: issues, lists and revokes API bearer tokens. */
export const tokenCommand: Command = {
  name: 'token',
  summary:
    'issue (viewer, clinician, operator, admin; optional expiry), list or revoke bearer tokens for the cloud API',
  usage,
  async run(argv, io, env) {
    const { values, positionals } = parseOptions(argv, {
      role: { type: 'string' },
      label: { type: 'string' },
      ttl: { type: 'string' },
      data: { type: 'string', default: '.heartline/cloud' },
    });
    const [action, ...rest] = positionals;
    if (action === 'list') {
      if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
      printTokens(io, await withStorage(values.data, env.databaseUrl, listTokens));
      return 0;
    }
    if (action === 'revoke') {
      if (rest.length !== 1) throw new UsageError('give one token id: heartline token revoke ID');
      const id = rest[0]!;
      const revoked = await withStorage(values.data, env.databaseUrl, (db) => revokeToken(db, id));
      if (!revoked) {
        io.stderr(`heartline token: no token has the id '${id}'\n`);
        return 1;
      }
      io.stdout(`token ${revoked.id} (${revoked.role}) revoked at ${revoked.revokedAt}\n`);
      return 0;
    }
    if (action !== undefined) throw new UsageError(`unexpected argument '${action}'`);
    const role = values.role as Role | undefined;
    if (!role || !ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const ttlMs = values.ttl === undefined ? undefined : parseDuration(values.ttl);
    const { token, info } = await withStorage(values.data, env.databaseUrl, (db) =>
      issueToken(db, role, { label: values.label, ttlMs }),
    );
    io.stdout(`${token}\n`);
    io.stderr(`token ${info.id} (${info.role}), expires ${info.expiresAt ?? 'never'}\n`);
    return 0;
  },
};
