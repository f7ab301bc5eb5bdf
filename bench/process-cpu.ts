/**
 * CPU time of other processes (a database server and its backends, a broker), read from Linux's
 * `/proc/<pid>/stat` (user + system time in clock ticks, 100 per second). Undefined elsewhere.
 */
import { readdir, readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = 100;

async function stat(pid: number): Promise<{ ppid: number; cpuMs: number } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { ppid, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds used so far by `pid` and its live children (a PostgreSQL server and its backends). */
export async function processTreeCpuMs(pid: number): Promise<number | undefined> {
  const root = await stat(pid);
  if (!root) return undefined;
  let total = root.cpuMs;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = await stat(Number(entry));
    if (child?.ppid === pid) total += child.cpuMs;
  }
  return total;
}
