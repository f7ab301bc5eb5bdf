import type { CliEnvironment } from './environment.js';

export { UsageError } from './errors.js';

/** One `heartline` subcommand: parses its own arguments and returns the process exit code. */
export interface Command {
  /** The word after `heartline` that selects this command. */
  readonly name: string;
  /** One line shown by `heartline help`. */
  readonly summary: string;
  /** Usage text shown by `heartline help <name>` and on a usage error. */
  readonly usage: string;
  /**
   * Runs the command; `argv` excludes the command name, `env` is the environment parsed once by `runCli`.
   * Resolves to the process exit code.
   */
  run(argv: readonly string[], io: CommandIo, env: CliEnvironment): Promise<number>;
}

/** Where a command writes: injected so tests can capture output without spawning a process. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves when stdout can take more (backpressure for long outputs); absent means never wait. */
  readonly drain?: () => Promise<void>;
}
