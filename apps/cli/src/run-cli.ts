import { type ParseArgsConfig, parseArgs } from 'node:util';
import { HeartlineError } from '@heartline/model/errors';
import type { Command, CommandIo } from './command.js';
import { commands } from './commands/index.js';
import { parseEnvironment } from './environment.js';
import { UsageError } from './errors.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Parses `--flag value` style options strictly; a wrong flag becomes a UsageError, never a stack trace. */
export function parseOptions<const T extends OptionsConfig>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: heartline <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun \`heartline help <command>\` for a command's options.\n`;
}

/**
 * Dispatches argv to its command; every expected failure becomes a one-line message and an exit code.
 * `env` (the process's environment, from `main.ts`) is parsed here, once, before the command runs; the
 * default is an empty environment, so tests calling this directly do not depend on the caller's shell.
 */
export async function runCli(
  argv: readonly string[],
  io: CommandIo,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const target = rest[0] === undefined ? undefined : commands.find((c) => c.name === rest[0]);
    io.stdout(target ? `${target.usage}\n` : helpText());
    return 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`heartline: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  // `heartline <command> --help` (or -h) anywhere before a `--`: the command's usage, exit 0.
  const end = rest.indexOf('--');
  const own = end < 0 ? rest : rest.slice(0, end);
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io, parseEnvironment(env));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`heartline ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (error instanceof HeartlineError) {
      io.stderr(`heartline ${command.name}: error [${error.code}]: ${error.message}\n`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    // The reader went away (`heartline dump … | head`): stop quietly, as Unix tools do.
    if (code === 'EPIPE') return 0;
    if (typeof code === 'string' && error instanceof Error) {
      // File-system errors (ENOENT, EACCES…) are user input problems: one line, no stack.
      io.stderr(`heartline ${command.name}: error [${code}]: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
