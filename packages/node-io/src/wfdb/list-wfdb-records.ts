import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every `.hea` under `dir` (subfolders included), sorted by path. */
export async function findWfdbHeaders(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const e of entries) {
      const path = join(folder, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.name.endsWith('.hea')) out.push(path);
    }
  };
  await walk(dir);
  return out.sort();
}

async function readRecordsFile(dir: string): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'RECORDS'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const entry = line.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    // A PhysioNet database whose records sit in subfolders lists them as `sub/`, each with its own RECORDS.
    if (entry.endsWith('/')) {
      const nested = await readRecordsFile(join(dir, entry));
      out.push(...(nested ?? []).map((r) => join(entry, r)));
    } else out.push(entry);
  }
  return out;
}

/**
 * The records of a plain WFDB folder, as paths without `.hea`: the ones its PhysioNet `RECORDS` file lists
 * (subfolder entries `sub/` followed into their own `RECORDS`), else every `.hea` found under it.
 */
export async function listWfdbRecords(dir: string): Promise<{ records: string[]; from: 'RECORDS' | 'scan' }> {
  const listed = await readRecordsFile(dir);
  if (listed) return { records: listed.map((r) => join(dir, r)), from: 'RECORDS' };
  const headers = await findWfdbHeaders(dir);
  return { records: headers.map((h) => h.slice(0, -'.hea'.length)), from: 'scan' };
}
