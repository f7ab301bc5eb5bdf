/**
 * The cloud's structured log: pino, one JSON object per line (`level`, `time`, `instance`, `component`,
 * `msg`). The cloud's parts log plain lines (`log(line)`, the interface callers and tests pass their
 * own of); {@link lineLog} turns each into a structured record on a pino logger.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/** Options of {@link createCloudLogger}. */
export interface CloudLoggerOptions {
  /** Receives each JSON line (with its newline). Default: stderr, written synchronously. */
  readonly write?: ((chunk: string) => void) | undefined;
  /** Least level written. Default `info`. */
  readonly level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' | undefined;
}

let stderr: DestinationStream | undefined;

/** A pino logger writing JSON lines, levels by name (`"level":"info"`) and ISO times. */
export function createCloudLogger(options: CloudLoggerOptions = {}): Logger {
  const settings: LoggerOptions = {
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const write = options.write;
  // Synchronous on stderr: the lines before a crash are not lost in a buffer.
  stderr ??= pino.destination({ dest: 2, sync: true });
  return pino(settings, write ? { write } : stderr);
}

/** A line's part name before `: ` (`cloud: …`, `ingest: …`, `vector index: …`). */
const COMPONENT = /^([a-z][a-z -]{0,30}): (.*)$/s;
/** Lines that tell of something going wrong are warnings; the rest is information. */
const WARNING =
  /\b(fail(ed|s|ing)?|error|rejected|refused|cannot|could not|not (used|stored|rolled back)|unexpected)\b/i;

/**
 * The cloud's `log(line)` on a pino logger: the line's leading part name becomes `component`, the rest
 * `msg`; a line that tells of a failure or a refusal is logged as `warn`, any other as `info`.
 */
export function lineLog(logger: Logger): (line: string) => void {
  return (line) => {
    const match = COMPONENT.exec(line);
    const msg = match ? match[2]! : line;
    const fields = match ? { component: match[1]! } : {};
    if (WARNING.test(msg)) logger.warn(fields, msg);
    else logger.info(fields, msg);
  };
}
