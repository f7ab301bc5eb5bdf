/**
 * A long-running child of `heartline start --cluster` (a cloud instance, mosquitto): its own process
 * group, so a terminal's Ctrl-C reaches only `start`, which then stops the children in order; its
 * output kept (the tail, for error messages) and its lines handed to a callback.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** A running child. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the child has exited. */
  readonly exited: Promise<number | string>;
  /** Whether it is still running. */
  running(): boolean;
  /** The last 8 kB of what it printed. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link spawnManaged}. */
export interface ManagedProcessOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Each line it prints on stdout or stderr, as it comes. Default: kept only. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** Starts `file args` as a child of its own process group. */
export function spawnManaged(
  name: string,
  file: string,
  args: readonly string[],
  options: ManagedProcessOptions = {},
): ManagedProcess {
  const child = spawn(file, [...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: options.env } : {}),
  });
  let tail = '';
  const exited = new Promise<number | string>((done) => {
    child.once('exit', (code, signal) => done(signal ?? code ?? 0));
    child.once('error', (error) => {
      tail += `\n${error.message}`;
      done(-1);
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  // A `start` that ends without stopping its children (an uncaught error) must not leave them running.
  const onExit = () => {
    if (running()) child.kill('SIGTERM');
  };
  process.once('exit', onExit);
  void exited.then(() => process.off('exit', onExit));
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-8192);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) options.onLine?.(line, stream);
    });
  }
  return {
    name,
    pid: child.pid ?? -1,
    child,
    exited,
    running,
    output: () => tail,
    async stop(graceMs = 15_000) {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
