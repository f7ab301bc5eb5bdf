/**
 * The cloud's log as the CLI writes it: JSON lines (pino, one object per line with `instance`, `level`,
 * `msg`) for log collectors, or a human-readable line per record for `heartline start` on a terminal.
 */
import { createCloudLogger, type Logger } from '@heartline/cloud';
import { prettyFactory } from 'pino-pretty';
import { UsageError } from './command.js';

/** How log records are written. */
export type LogFormat = 'json' | 'pretty';

/** Reads `--log-format` (wins) or `LOG_FORMAT`; `fallback` when neither is given. */
export function logFormatOption(flag: string | undefined, env: LogFormat | undefined, fallback: LogFormat) {
  if (flag === undefined) return env ?? fallback;
  if (flag === 'json' || flag === 'pretty') return flag;
  throw new UsageError(`--log-format must be json or pretty, not '${flag}'`);
}

/** A pino logger writing to `write` in `format` (pretty: `[time] LEVEL: component: message`). */
export function cliLogger(format: LogFormat, write: (text: string) => void, colorize = false): Logger {
  if (format === 'json') return createCloudLogger({ write });
  const pretty = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,instance,component',
    messageFormat: '{if component}{component}: {end}{msg}',
  });
  return createCloudLogger({ write: (chunk) => write(pretty(chunk)) });
}
