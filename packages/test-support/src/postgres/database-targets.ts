/**
 * The databases a storage test runs on, for `describe.each`: PGlite in memory, and a real PostgreSQL
 * server when the machine has one. One server per test file (each file has its own module instance),
 * started on first use; every `newDatabase()` is an empty database on it, so cases do not share rows.
 */
import { postgresForTest } from './binaries.js';
import { type PostgresServer, startPostgresServer } from './server.js';

/** One database implementation a test runs against. */
export interface DatabaseTarget {
  /** For test names: `PGlite` or `PostgreSQL 15.18`. */
  readonly name: string;
  /** A new empty database's url, or undefined for PGlite in memory (the storage's default). */
  newDatabase(): Promise<string | undefined>;
}

let server: Promise<PostgresServer> | undefined;
let created = 0;

/**
 * PGlite always; PostgreSQL when its server programs are installed (else the reason is printed and the
 * target left out; under CI their absence throws, as {@link postgresForTest}). Call at module level and
 * stop the server with {@link stopTestPostgres} in `afterAll`.
 */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ name: 'PGlite', newDatabase: async () => undefined }];
  const binaries = postgresForTest();
  if (binaries)
    targets.push({
      name: `PostgreSQL ${binaries.version}`,
      async newDatabase() {
        server ??= startPostgresServer();
        return (await server).createDatabase(`test_${++created}`);
      },
    });
  return targets;
}

/** Stops this test file's PostgreSQL server, if one was started, and removes its folder. */
export async function stopTestPostgres(): Promise<void> {
  const running = server;
  server = undefined;
  if (running) await (await running).stop();
}
