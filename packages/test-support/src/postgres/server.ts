/**
 * A throwaway PostgreSQL server for tests: node-io's cluster (`startPostgresCluster`) in a temporary
 * folder, on loopback and a free port, with a generated password and fsync off (the cluster never
 * outlives the test run, so durability buys nothing and costs seconds), gone with
 * {@link PostgresServer.stop}.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PostgresCluster, startPostgresCluster } from '@heartline/node-io';
import { PostgresServerError, PostgresUnavailableError } from '../errors.js';
import { findPostgresBinaries, postgresUnavailableReason, testLookup } from './binaries.js';

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
  /** The temporary folder holding the cluster and its log. */
  readonly dir: string;
  /** Creates another empty database `name` (lower-case letters, digits, `_`) and returns its url. */
  createDatabase(name: string): Promise<string>;
  /** Shuts the server down (fast: open sessions are ended) and removes its folder. Idempotent. */
  stop(): Promise<void>;
  /** Ends the server at once, as a crash would (SIGKILL; its backends follow), and removes its folder. */
  kill(): void;
}

/**
 * Creates and starts a cluster of its own (initdb, pg_ctl; as the `postgres` user when this process is
 * root), waits until it accepts connections and creates the database `url` names. Throws
 * {@link PostgresUnavailableError} without server programs; on any failure the folder is removed.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const database = options.database ?? 'heartline';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database))
    throw new RangeError(
      `database name '${database}': use 1 to 63 lower-case letters, digits and '_', not starting with a digit`,
    );
  if (!findPostgresBinaries())
    throw new PostgresUnavailableError(postgresUnavailableReason() ?? 'no PostgreSQL server programs');

  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'hl-pg-'));
  let cluster: PostgresCluster | undefined;
  let ended = false;
  // A test process that exits without stop() (a crash, a timeout) must not leave a server running.
  const killNow = () => {
    if (ended) return;
    ended = true;
    process.off('exit', killNow);
    cluster?.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNow);

  try {
    cluster = await startPostgresCluster({ dir, throwaway: true, lookup: testLookup() });
    await cluster.createDatabase(database);
  } catch (error) {
    // A cluster that failed while starting has been ended by node-io; one that is up is killed here.
    killNow();
    throw error;
  }
  const running = cluster;

  const createDatabase = async (name: string): Promise<string> => {
    if (ended) throw new PostgresServerError('create database', `the server in ${dir} was stopped`);
    return running.createDatabase(name);
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (ended) return;
      try {
        await running.stop();
      } finally {
        // Removed whether or not the shutdown went cleanly; a server still up is killed first.
        killNow();
      }
    })();
    return stopping;
  };
  return {
    url: running.urlOf(database),
    port: running.port,
    dir,
    createDatabase,
    stop,
    kill: killNow,
  };
}
