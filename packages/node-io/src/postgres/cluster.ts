/**
 * A PostgreSQL cluster of our own in a folder: made with initdb on first use (as the `postgres` user when
 * this process is root), started with pg_ctl on loopback only (no unix socket), with a generated password
 * kept in the folder, and waited for with a real client. Throwaway clusters (tests) run without fsync;
 * durable ones (`heartline start --cluster`) keep the defaults and are started again on later runs.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { PostgresServerError, PostgresUnavailableError } from '../errors.js';
import { freePort } from '../free-port.js';
import {
  clusterOwner,
  findPostgresBinaries,
  type PostgresBinaries,
  type PostgresLookup,
  postgresUnavailableReason,
} from './binaries.js';
import { giveToOwner, runAsOwner } from './run-as-owner.js';

/** Options of {@link startPostgresCluster}. */
export interface PostgresClusterOptions {
  /**
   * The folder of the cluster: `data/` (the cluster itself), `server.log` and `password`. Created when
   * missing; a cluster already there is started again. As root, the `postgres` user must be able to
   * enter its parent folders.
   */
  readonly dir: string;
  /** No fsync, no full-page writes: for clusters that never outlive their test. Default false. */
  readonly throwaway?: boolean;
  /** TCP port on 127.0.0.1. Default: a free one, chosen at each start. */
  readonly port?: number;
  /** Where the server programs are. Default: searched (see {@link findPostgresBinaries}). */
  readonly lookup?: PostgresLookup;
}

/** A running cluster. */
export interface PostgresCluster {
  /** The folder given as `dir`. */
  readonly dir: string;
  /** The loopback TCP port it listens on. */
  readonly port: number;
  /** The server programs it runs. */
  readonly binaries: PostgresBinaries;
  /** The postmaster's process id. */
  readonly pid: number;
  /** Whether this start made the cluster (initdb), rather than starting one made before. */
  readonly created: boolean;
  /** `postgres://…` of database `name` as the superuser. */
  urlOf(name: string): string;
  /** Creates the empty database `name` (lower-case letters, digits, `_`) and returns its url. */
  createDatabase(name: string): Promise<string>;
  /** As {@link createDatabase}, but an existing database `name` is kept. */
  ensureDatabase(name: string): Promise<string>;
  /** Shuts the server down (fast: open sessions are ended; data is kept). Idempotent. */
  stop(): Promise<void>;
  /** Ends the server at once, as a crash would (SIGKILL; its backends follow). */
  kill(): void;
}

const SUPERUSER = 'postgres';
/** Start attempts: another process may take the free port between our probe and the server's bind. */
const START_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 30_000;

function checkName(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new RangeError(
      `database name '${name}': use 1 to 63 lower-case letters, digits and '_', not starting with a digit`,
    );
}

/** The last lines of the server's log, for error messages. */
async function logTail(log: string): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-15).join('\n');
}

/** The postmaster's pid from `data/postmaster.pid`, or undefined when there is none. */
function postmasterPid(data: string): number | undefined {
  const pidFile = join(data, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal` to the postmaster (SIGKILL: its backends watch it through a pipe and follow). */
function signalCluster(data: string, signal: NodeJS.Signals): void {
  const pid = postmasterPid(data);
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Polls with a real client until the server answers a query: evidence, not a fixed sleep. */
async function waitUntilAccepting(url: string, log: string): Promise<void> {
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new PostgresServerError('connect', `${(error as Error).message}\n${await logTail(log)}`, {
          cause: error,
        });
    } finally {
      await client.end().catch(() => undefined);
    }
    await delay(50);
  }
}

/** initdb into `dir/data` with the password from `dir/password`, and our settings appended. */
async function initCluster(
  dir: string,
  binaries: PostgresBinaries,
  owner: ReturnType<typeof clusterOwner>,
  password: string,
  throwaway: boolean,
): Promise<void> {
  const pwfile = join(dir, 'pwfile');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  await giveToOwner(owner, pwfile);
  try {
    await runAsOwner(
      'initdb',
      owner,
      join(binaries.binDir, 'initdb'),
      // UTF-8 as in production (the C locale alone would give SQL_ASCII).
      [
        ...['-D', join(dir, 'data'), '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256'],
        ...['--encoding=UTF8', '--locale=C', '--no-instructions', ...(throwaway ? ['--no-sync'] : [])],
      ],
      dir,
    );
  } finally {
    await rm(pwfile, { force: true });
  }
  // Loopback only, and no unix socket: /var/run/postgresql may not exist or belong to the machine's own
  // cluster, and a socket path in a deep folder can exceed the 107-byte limit. pg_ctl -w does not need one.
  await appendFile(
    join(dir, 'data', 'postgresql.conf'),
    [
      '',
      `# ${throwaway ? 'throwaway' : 'local'} cluster (heartline node-io)`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = ''`,
      ...(throwaway ? ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'] : []),
      '',
    ].join('\n'),
  );
}

/**
 * Starts the cluster in `options.dir` (making it first when the folder holds none), waits until it
 * answers a query and returns it. Throws {@link PostgresUnavailableError} without server programs and
 * {@link PostgresServerError} when a step fails; a server this call started is stopped again then.
 */
export async function startPostgresCluster(options: PostgresClusterOptions): Promise<PostgresCluster> {
  const binaries = findPostgresBinaries(options.lookup);
  if (!binaries)
    throw new PostgresUnavailableError(
      postgresUnavailableReason(options.lookup) ?? 'no PostgreSQL server programs',
    );
  const owner = clusterOwner();
  const throwaway = options.throwaway ?? false;
  const { dir } = options;
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const passwordFile = join(dir, 'password');
  const program = (name: string) => join(binaries.binDir, name);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  await giveToOwner(owner, dir);
  const created = !existsSync(join(data, 'PG_VERSION'));
  let password: string;
  if (created) {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await rm(data, { recursive: true, force: true });
    await initCluster(dir, binaries, owner, password, throwaway);
  } else {
    const major = Number((await readFile(join(data, 'PG_VERSION'), 'utf8')).trim());
    if (major !== binaries.major)
      throw new PostgresServerError(
        'start',
        `the cluster in ${data} was made by PostgreSQL ${major}, the programs found are ${binaries.version} ` +
          `(${binaries.binDir}); upgrade it with pg_upgrade, or remove ${dir} to start afresh`,
      );
    password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim();
    if (!password)
      throw new PostgresServerError('start', `${passwordFile} is missing: remove ${dir} to start afresh`);
    const running = postmasterPid(data);
    if (running !== undefined && alive(running))
      throw new PostgresServerError(
        'start',
        `a server (pid ${running}) already runs on ${data}: another heartline using this folder? Stop it first`,
      );
  }

  let port = 0;
  const urlOf = (name: string) => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${name}`;
  let ended = false;
  // A process that exits without stop() (a crash, a timeout) must not leave a server running: a
  // throwaway one is killed, a durable one asked for a fast shutdown, which it finishes on its own.
  const onExit = () => {
    if (ended) return;
    ended = true;
    signalCluster(data, throwaway ? 'SIGKILL' : 'SIGINT');
  };
  process.once('exit', onExit);

  try {
    for (let attempt = 1; ; attempt++) {
      port = options.port ?? (await freePort());
      await rm(log, { force: true });
      try {
        await runAsOwner(
          'pg_ctl start',
          owner,
          program('pg_ctl'),
          ['start', '-D', data, '-l', log, '-w', '-t', '60', '-s', '-o', `-p ${port}`],
          dir,
        );
        break;
      } catch (error) {
        const tail = await logTail(log);
        const busy = /could not bind|already in use/i.test(tail);
        if (attempt < START_ATTEMPTS && busy && options.port === undefined) continue;
        throw new PostgresServerError('pg_ctl start', `${(error as Error).message}\n${tail}`, {
          cause: error,
        });
      }
    }
    await waitUntilAccepting(urlOf('postgres'), log);
  } catch (error) {
    onExit();
    process.off('exit', onExit);
    throw error;
  }
  const pid = postmasterPid(data);
  if (pid === undefined) {
    onExit();
    throw new PostgresServerError('pg_ctl start', `no postmaster.pid in ${data} after the start`);
  }

  const admin = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: urlOf('postgres') });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.query(sql, params);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const createDatabase = async (name: string): Promise<string> => {
    checkName(name);
    if (ended) throw new PostgresServerError('create database', `the server in ${dir} was stopped`);
    await admin(`CREATE DATABASE ${name}`);
    return urlOf(name);
  };
  const ensureDatabase = async (name: string): Promise<string> => {
    checkName(name);
    const { rowCount } = await admin('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount ? urlOf(name) : createDatabase(name);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (ended) return;
      ended = true;
      process.off('exit', onExit);
      if (!alive(pid)) return;
      try {
        await runAsOwner(
          'pg_ctl stop',
          owner,
          program('pg_ctl'),
          ['stop', '-D', data, '-m', 'fast', '-w', '-s'],
          dir,
        );
      } catch (error) {
        // Stopped meanwhile (a terminal's Ctrl-C reaches it too) is what was asked for.
        if (alive(pid)) throw error;
      }
    })();
    return stopping;
  };
  const kill = () => {
    ended = true;
    process.off('exit', onExit);
    signalCluster(data, 'SIGKILL');
  };
  return {
    dir,
    port,
    binaries,
    pid,
    created,
    urlOf,
    createDatabase,
    ensureDatabase,
    stop,
    kill,
  };
}
