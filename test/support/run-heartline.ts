import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the test package sits one level below it). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What a `heartline` process printed and how it exited. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pnpm heartline …` as a new user would, from the repository root, and captures its output. */
export function runHeartline(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    execFile(
      'pnpm',
      ['--silent', 'heartline', ...args],
      { cwd: repoRoot, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          fail(error);
          return;
        }
        done({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** True when the text holds a JavaScript stack trace (which the CLI must never show for bad input). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}
