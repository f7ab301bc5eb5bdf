/**
 * The environment variables heartline reads, parsed once (in `runCli`) and passed down to the commands
 * as a typed {@link CliEnvironment}; no other code reads `process.env` for its configuration.
 */
import { z } from 'zod';
import { EnvironmentError } from './errors.js';

/** A URL whose scheme is one of `schemes` (with colons, as `URL.protocol` has them); empty means unset. */
function url(schemes: readonly string[]) {
  const expected = `must be a URL starting ${schemes.map((s) => `${s}//`).join(' or ')}`;
  return z
    .string()
    .refine((text) => {
      try {
        return schemes.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    }, expected)
    .optional();
}

/** Unset and empty read the same (a shell's `VAR= heartline …`). */
const emptyIsUnset = (value: unknown) => (value === '' ? undefined : value);

/** The schema of the variables heartline reads; anything else in the environment is ignored. */
export const environmentSchema = z.object({
  /** A PostgreSQL server with pgvector instead of the embedded database. */
  DATABASE_URL: z.preprocess(emptyIsUnset, url(['postgres:', 'postgresql:'])),
  /** An external MQTT broker (e.g. mosquitto) instead of the embedded one. */
  MQTT_URL: z.preprocess(emptyIsUnset, url(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:'])),
  /** A bearer token for commands that talk to a running cloud (`device-revoke --cloud`). */
  HEARTLINE_TOKEN: z.preprocess(emptyIsUnset, z.string().optional()),
  /** How the cloud logs: `json` (one JSON object per line) or `pretty`; `--log-format` wins. */
  LOG_FORMAT: z.preprocess(emptyIsUnset, z.enum(['json', 'pretty']).optional()),
  /** The folder of PostgreSQL's server programs for `start --cluster` (default: searched). */
  HEARTLINE_PG_BINDIR: z.preprocess(emptyIsUnset, z.string().optional()),
  /** Set (to anything but '', 'false' or '0') under continuous integration: no redrawn progress bars. */
  CI: z.preprocess(emptyIsUnset, z.string().optional()),
});

/** What the commands get from the environment. */
export interface CliEnvironment {
  /** `DATABASE_URL`; undefined: the embedded database. */
  readonly databaseUrl: string | undefined;
  /** `MQTT_URL`; undefined: the embedded broker. */
  readonly mqttUrl: string | undefined;
  /** `HEARTLINE_TOKEN`; undefined when unset. */
  readonly token: string | undefined;
  /** Whether `CI` is set (to anything but '', 'false' or '0'). */
  readonly ci: boolean;
  /** `LOG_FORMAT`; undefined: each command's default (see `cloud-log.ts`). */
  readonly logFormat?: 'json' | 'pretty' | undefined;
  /** `HEARTLINE_PG_BINDIR`; undefined: PostgreSQL's server programs are searched for. */
  readonly pgBinDir?: string | undefined;
}

/** An environment with nothing set (the default in tests that call `runCli` directly). */
export const EMPTY_ENVIRONMENT: CliEnvironment = {
  databaseUrl: undefined,
  mqttUrl: undefined,
  token: undefined,
  ci: false,
};

/** Parses `env` (e.g. `process.env`); throws an {@link EnvironmentError} naming each wrong variable. */
export function parseEnvironment(env: Readonly<Record<string, string | undefined>>): CliEnvironment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new EnvironmentError(String(result.error.issues[0]?.path[0] ?? ''), problems);
  }
  const { DATABASE_URL, MQTT_URL, HEARTLINE_TOKEN, LOG_FORMAT, CI, HEARTLINE_PG_BINDIR } = result.data;
  return {
    databaseUrl: DATABASE_URL,
    mqttUrl: MQTT_URL,
    token: HEARTLINE_TOKEN,
    ci: CI !== undefined && CI !== 'false' && CI !== '0',
    logFormat: LOG_FORMAT,
    ...(HEARTLINE_PG_BINDIR === undefined ? {} : { pgBinDir: HEARTLINE_PG_BINDIR }),
  };
}
