/**
 * Where PostgreSQL's server programs are and who may run them. Debian keeps `initdb`, `pg_ctl` and
 * `postgres` in `/usr/lib/postgresql/<major>/bin`, off the PATH; other systems put them on it. A caller
 * may name the folder outright (`binDir`: another installation, or none: an empty folder).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { PostgresUnavailableError } from '../errors.js';

/** The server programs a cluster needs, found in one folder. */
export interface PostgresBinaries {
  /** Folder holding `initdb`, `pg_ctl` and `postgres`. */
  readonly binDir: string;
  /** `postgres --version`'s number, e.g. `15.18`. */
  readonly version: string;
  /** Its major version, e.g. 15. */
  readonly major: number;
}

/** Where to look for the server programs. */
export interface PostgresLookup {
  /** The folder to use instead of searching. Default: pg_config's, Debian's newest, then the PATH. */
  readonly binDir?: string | undefined;
  /** What named `binDir`, for messages (e.g. `HEARTLINE_PG_BINDIR`). Default: none. */
  readonly binDirSource?: string | undefined;
}

/** The account a cluster runs under: undefined for this process's own user. */
export interface ClusterOwner {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'] as const;
/** The account Debian's package creates; initdb and postgres refuse to run as root. */
const OWNER_NAME = 'postgres';

function hasPrograms(dir: string): boolean {
  return PROGRAMS.every((program) => existsSync(join(dir, program)));
}

function output(file: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Candidate folders, best first: pg_config's, Debian's newest major, the PATH; or the one chosen. */
function candidateDirs(chosen: string | undefined): string[] {
  if (chosen) return [chosen];
  const dirs: string[] = [];
  // pg_config may come from libpq-dev without a server beside it, so every candidate is checked.
  const fromPgConfig = output('pg_config', ['--bindir']);
  if (fromPgConfig) dirs.push(fromPgConfig);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...majors.map((major) => join(debian, major, 'bin')));
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    // pg_ctl looks for `postgres` beside its real file, so follow a symlinked initdb to its folder.
    const initdb = join(dir, 'initdb');
    if (existsSync(initdb)) dirs.push(dirname(realpathSync(initdb)));
  }
  return dirs;
}

/** Lookups so far, by chosen folder ('' when searching): `postgres --version` runs once for each. */
const found = new Map<string, PostgresBinaries | undefined>();

function lookUp(chosen: string | undefined): PostgresBinaries | undefined {
  for (const binDir of candidateDirs(chosen)) {
    if (!hasPrograms(binDir)) continue;
    const version = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(
      output(join(binDir, 'postgres'), ['--version']) ?? '',
    );
    if (!version) continue;
    return {
      binDir,
      version: version[2] ? `${version[1]}.${version[2]}` : version[1]!,
      major: Number(version[1]),
    };
  }
  return undefined;
}

/** The server programs, or undefined when this machine has none. */
export function findPostgresBinaries(lookup: PostgresLookup = {}): PostgresBinaries | undefined {
  const key = lookup.binDir ?? '';
  if (!found.has(key)) found.set(key, lookUp(lookup.binDir || undefined));
  return found.get(key);
}

/**
 * Who owns and runs a cluster: this process's user, except as root, where the `postgres` account does
 * (undefined then means "as this process"). Throws when root has no such account to hand it to.
 */
export function clusterOwner(): ClusterOwner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = output('id', ['-u', OWNER_NAME]);
  const gid = output('id', ['-g', OWNER_NAME]);
  if (!uid || !gid)
    throw new PostgresUnavailableError(
      `running as root, and initdb refuses root: a '${OWNER_NAME}' user is needed to own the PostgreSQL ` +
        `cluster (Debian's postgresql package creates it), or run as an ordinary user`,
    );
  return { name: OWNER_NAME, uid: Number(uid), gid: Number(gid) };
}

/** Why no cluster can start here, or undefined when one can. */
export function postgresUnavailableReason(lookup: PostgresLookup = {}): string | undefined {
  if (!findPostgresBinaries(lookup)) {
    const where = lookup.binDir
      ? `in ${lookup.binDirSource ? `${lookup.binDirSource}=` : ''}${lookup.binDir}`
      : 'via pg_config, in /usr/lib/postgresql/*/bin or on the PATH';
    return (
      `PostgreSQL server programs (initdb, pg_ctl, postgres) not found ${where} ` +
      "(Debian: install the 'postgresql' package, e.g. 'bash scripts/install-system-deps.sh postgresql'; " +
      'elsewhere set HEARTLINE_PG_BINDIR to their folder)'
    );
  }
  try {
    clusterOwner();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
