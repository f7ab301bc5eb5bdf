import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/** Suffix of files being written; a crash can leave them behind and the writer deletes them on start. */
export const PARTIAL_SUFFIX = '.partial';

/**
 * Writes `bytes` to `path` so that `path` is either absent, the old file, or the complete new one: a
 * uniquely named temporary file beside it is written, flushed to disk and renamed over `path`.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}${PARTIAL_SUFFIX}`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
}
