/** Atomic file replacement: write a temp file, optionally fsync it, rename over the target. */
import { open, rename } from 'node:fs/promises';

/**
 * Writes `data` to `path` so a reader (or a restart after a crash) sees the old or the new content,
 * never a torn one. With `fsync`, the bytes reach the disk before the rename makes them visible.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  fsync: boolean,
): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    if (fsync) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}
