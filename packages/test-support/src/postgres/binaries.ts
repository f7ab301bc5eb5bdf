/**
 * Whether a test may start a PostgreSQL server here: node-io's lookup (`@heartline/node-io`), with the
 * folder `HEARTLINE_PG_BINDIR` names when it is set (another installation, or none: an empty folder).
 */
import {
  clusterOwner,
  findPostgresBinaries as findInNodeIo,
  type PostgresBinaries,
  type PostgresLookup,
  postgresUnavailableReason as reasonInNodeIo,
  underCi,
} from '@heartline/node-io';
import { PostgresUnavailableError } from '../errors.js';

export type { ClusterOwner, PostgresBinaries } from '@heartline/node-io';
export { clusterOwner };

/** Where the tests look: `HEARTLINE_PG_BINDIR` when set, else node-io's search. */
export function testLookup(): PostgresLookup {
  const chosen = process.env['HEARTLINE_PG_BINDIR'];
  return chosen ? { binDir: chosen, binDirSource: 'HEARTLINE_PG_BINDIR' } : {};
}

/** The server programs, or undefined when this machine has none. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  return findInNodeIo(testLookup());
}

/** Why no throwaway server can start here, or undefined when one can. */
export function postgresUnavailableReason(): string | undefined {
  return reasonInNodeIo(testLookup());
}

/** Whether {@link startPostgresServer} can run here. */
export function postgresAvailable(): boolean {
  return postgresUnavailableReason() === undefined;
}

/**
 * For tests, at module level: the binaries, or undefined after printing why the tests that need a
 * PostgreSQL server are skipped. Under CI, where `.ci/run` installs PostgreSQL, their absence throws
 * instead, so the test file fails rather than passing without having tested anything.
 */
export function postgresForTest(): PostgresBinaries | undefined {
  const reason = postgresUnavailableReason();
  if (reason === undefined) return findPostgresBinaries();
  if (underCi())
    throw new PostgresUnavailableError(
      `CI: ${reason}; tests that need a PostgreSQL server must not be skipped here`,
    );
  console.warn(`skipping the tests that need a PostgreSQL server: ${reason}`);
  return undefined;
}
