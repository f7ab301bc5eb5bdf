/**
 * The system programs `heartline start --cluster` runs: PostgreSQL's server programs (found as node-io
 * finds them) and mosquitto (on the PATH, or in /usr/sbin where Debian puts it, off a user's PATH).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findPostgresBinaries, type PostgresLookup, postgresUnavailableReason } from '@heartline/node-io';
import type { CliEnvironment } from '../environment.js';
import { SystemProgramMissingError } from '../errors.js';

/** What the cluster runs from the system. */
export interface ClusterPrograms {
  /** Where PostgreSQL's server programs are looked up (the same lookup that found them). */
  readonly postgres: PostgresLookup;
  /** PostgreSQL's version, e.g. `15.18`. */
  readonly postgresVersion: string;
  /** The mosquitto executable. */
  readonly mosquitto: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The mosquitto executable on the PATH or in the sbin folders, or undefined when there is none. */
export function findMosquitto(path = process.env['PATH'] ?? ''): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => join(dir, 'mosquitto')).find(executable);
}

/**
 * Both programs, or a {@link SystemProgramMissingError} naming the Debian package to install (both
 * when both are missing).
 */
export function checkClusterPrograms(env: Pick<CliEnvironment, 'pgBinDir'>): ClusterPrograms {
  const postgres: PostgresLookup = env.pgBinDir
    ? { binDir: env.pgBinDir, binDirSource: 'HEARTLINE_PG_BINDIR' }
    : {};
  const problems: string[] = [];
  const pgReason = postgresUnavailableReason(postgres);
  if (pgReason) problems.push(pgReason);
  const mosquitto = findMosquitto();
  if (!mosquitto)
    problems.push(
      "mosquitto not found on the PATH or in /usr/sbin (Debian: install the 'mosquitto' package, " +
        "e.g. 'bash scripts/install-system-deps.sh mosquitto')",
    );
  const binaries = findPostgresBinaries(postgres);
  if (problems.length > 0 || !binaries || !mosquitto)
    throw new SystemProgramMissingError(
      `start --cluster needs PostgreSQL and mosquitto: ${problems.join('; ')}`,
    );
  return { postgres, postgresVersion: binaries.version, mosquitto };
}
