/**
 * A throwaway PostgreSQL server for tests: its own cluster in a temporary folder, on loopback and a free
 * port, with a generated password, gone with {@link PostgresServer.stop}. fsync is off: the cluster
 * never outlives the test run, so durability buys nothing and costs seconds.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { PostgresServerError, PostgresUnavailableError } from '../errors.js';
import { clusterOwner, findPostgresBinaries, postgresUnavailableReason } from './binaries.js';
import { giveToOwner, runAsOwner } from './run-as-owner.js';

/** Options of {@link startPostgresServer}. */
export interface PostgresServerOptions {
  /** The database created at start, which `url` names. Default `heartline`. */
  readonly database?: string;
  /** Where the server's temporary folder is made. Default: the system's temporary folder. */
  readonly parentDir?: string;
}

/** A running throwaway server. */
export interface PostgresServer {
  /** `postgres://…` of the database created at start. */
  readonly url: string;
  /** The loopback TCP port it listens on. */
  readonly port: number;
  /** The temporary folder holding the cluster, its socket and its log. */
  readonly dir: string;
  /** Creates another empty database `name` (lower-case letters, digits, `_`) and returns its url. */
  createDatabase(name: string): Promise<string>;
  /** Shuts the server down (fast: open sessions are ended) and removes its folder. Idempotent. */
  stop(): Promise<void>;
  /** Ends the server at once, as a crash would (SIGKILL; its backends follow), and removes its folder. */
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** The last lines of the server's log, for error messages. */
async function logTail(log: string): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-15).join('\n');
}

/**
 * SIGKILL to the postmaster. Its backends and helpers (each a process group of its own) watch the
 * postmaster through a pipe and exit as soon as it dies, as after a real crash.
 */
function killCluster(data: string): void {
  const pidFile = join(data, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
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

/**
 * Creates and starts a cluster of its own (initdb, pg_ctl; as the `postgres` user when this process is
 * root), waits until it accepts connections and creates the database `url` names. Throws
 * {@link PostgresUnavailableError} without server programs; on any failure the folder is removed.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const database = options.database ?? 'heartline';
  checkName(database);
  const binaries = findPostgresBinaries();
  if (!binaries)
    throw new PostgresUnavailableError(postgresUnavailableReason() ?? 'no PostgreSQL server programs');
  const owner = clusterOwner();
  const program = (name: string) => join(binaries.binDir, name);

  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'hl-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const log = join(dir, 'server.log');
  const password = randomBytes(18).toString('base64url');
  let port = 0;
  const urlOf = (name: string) => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${name}`;

  let ended = false;
  // A test process that exits without stop() (a crash, a timeout) must not leave a server running.
  const killNow = () => {
    if (ended) return;
    ended = true;
    process.off('exit', killNow);
    killCluster(data);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNow);

  try {
    await giveToOwner(owner, dir);
    await mkdir(socketDir, { mode: 0o700 });
    await giveToOwner(owner, socketDir);
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    await giveToOwner(owner, pwfile);
    await runAsOwner(
      'initdb',
      owner,
      program('initdb'),
      // UTF-8 as in production (the C locale alone would give SQL_ASCII); no fsync of the new files.
      [
        ...['-D', data, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256'],
        ...['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      ],
      dir,
    );
    await rm(pwfile);
    // Loopback only, and the unix socket in our folder rather than /var/run/postgresql (which may not
    // exist or belong to the machine's own cluster).
    const quoted = (value: string) => `'${value.replaceAll("'", "''")}'`;
    await appendFile(
      join(data, 'postgresql.conf'),
      [
        '',
        '# throwaway test server (heartline test-support)',
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = ${quoted(socketDir)}`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );

    for (let attempt = 1; ; attempt++) {
      port = await freePort();
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
        if (attempt < START_ATTEMPTS && /could not bind|already in use/i.test(tail)) continue;
        throw new PostgresServerError('pg_ctl start', `${(error as Error).message}\n${tail}`, {
          cause: error,
        });
      }
    }
    await waitUntilAccepting(urlOf('postgres'), log);
  } catch (error) {
    killNow();
    throw error;
  }

  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: urlOf('postgres') });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(sql);
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

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (ended) return;
      try {
        await runAsOwner(
          'pg_ctl stop',
          owner,
          program('pg_ctl'),
          ['stop', '-D', data, '-m', 'fast', '-w', '-s'],
          dir,
        );
      } finally {
        // Removed whether or not the shutdown went cleanly; a server still up is killed first.
        killNow();
      }
    })();
    return stopping;
  };

  try {
    await createDatabase(database);
  } catch (error) {
    killNow();
    throw error;
  }
  return { url: urlOf(database), port, dir, createDatabase, stop, kill: killNow };
}
