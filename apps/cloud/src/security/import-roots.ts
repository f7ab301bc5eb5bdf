/**
 * Server-side folders a request may name (record imports, a pretrain job's data, release registration)
 * lie under the cloud's import roots. A request learns nothing about the server's file system beyond
 * them: a folder outside, a missing one and one reached through a symbolic link leading out all get the
 * same {@link FolderNotAllowedError}.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

import { FolderNotAllowedError } from '../errors.js';

export { FolderNotAllowedError } from '../errors.js';

/** Whether `path` is `root` or inside it (both real, absolute paths). */
function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function realDirectory(path: string): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    return (await stat(real)).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The real path of the folder `requested` when it is a directory under one of `roots` after resolving
 * every symbolic link (of the roots too); a relative `requested` is taken relative to the first root.
 * Throws {@link FolderNotAllowedError} otherwise, whatever the reason.
 */
export async function resolveImportPath(roots: readonly string[], requested: string): Promise<string> {
  // A NUL byte would make the file system calls throw a different error.
  if (roots.length === 0 || requested.length === 0 || requested.includes('\0')) {
    throw new FolderNotAllowedError();
  }
  const real = await realDirectory(resolve(roots[0]!, requested));
  if (real !== undefined) {
    for (const root of roots) {
      const realRoot = await realDirectory(root);
      if (realRoot !== undefined && isWithin(realRoot, real)) return real;
    }
  }
  throw new FolderNotAllowedError();
}
