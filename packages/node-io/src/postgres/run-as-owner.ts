/** Runs PostgreSQL's programs as the cluster's owner (see {@link clusterOwner}). */
import { execFile } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { PostgresServerError } from '../errors.js';
import type { ClusterOwner } from './binaries.js';

/** A fixed, small environment: no inherited PGDATA/PGPORT or locale can change what initdb does. */
function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' };
  if (process.env['TZ']) env['TZ'] = process.env['TZ'];
  return env;
}

/**
 * Runs `file` with `args` in `cwd` as `owner` (this process's user when undefined) and resolves with its
 * output; a failure is a {@link PostgresServerError} naming `step` with the program's stderr.
 */
export function runAsOwner(
  step: string,
  owner: ClusterOwner | undefined,
  file: string,
  args: readonly string[],
  cwd: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    // Node switches user itself (setgid, setuid, and no supplementary groups), so no runuser or sudo
    // is needed. cwd must be one the owner may enter: initdb warns and fails in root's home otherwise.
    execFile(
      file,
      [...args],
      {
        cwd,
        env: environment(),
        encoding: 'utf8',
        timeout: 120_000,
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const denied =
          owner && /permission denied/i.test(stderr)
            ? ` (the cluster runs as '${owner.name}', who must be able to enter ${cwd})`
            : '';
        reject(
          new PostgresServerError(
            step,
            `${file} ${args.join(' ')}: ${stderr.trim() || error.message}${denied}`,
            { cause: error },
          ),
        );
      },
    );
  });
}

/** Hands `path` to `owner` (nothing to do when the cluster runs as this process's user). */
export async function giveToOwner(owner: ClusterOwner | undefined, path: string): Promise<void> {
  if (owner) await chown(path, owner.uid, owner.gid);
}
