import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

/**
 * Writes an in-memory dataset (relative path → text or bytes) under `dir`, creating folders as needed.
 * Paths that are absolute or climb out of `dir` are refused, so a files map cannot write elsewhere.
 * Resolves to the number of files written.
 */
export async function writeDataset(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
): Promise<number> {
  const made = new Set<string>();
  for (const [relative, contents] of files) {
    const clean = normalize(relative);
    if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`)) {
      throw new RangeError(`writeDataset: path '${relative}' must stay inside the output folder`);
    }
    const target = join(dir, clean);
    const folder = dirname(target);
    if (!made.has(folder)) {
      await mkdir(folder, { recursive: true });
      made.add(folder);
    }
    await writeFile(target, contents);
  }
  return files.size;
}
