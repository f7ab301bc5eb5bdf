import { describe, expect, it } from 'vitest';
import { EMPTY_ENVIRONMENT, parseEnvironment } from './environment.js';
import { EnvironmentError } from './errors.js';
import { runCli } from './run-cli.js';

function refusal(env: Record<string, string>): EnvironmentError {
  try {
    parseEnvironment(env);
  } catch (error) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new Error('expected an EnvironmentError');
}

describe('parseEnvironment', () => {
  it('reads nothing set as the defaults', () => {
    expect(parseEnvironment({})).toEqual(EMPTY_ENVIRONMENT);
  });

  it('reads every variable it knows and ignores the rest', () => {
    expect(
      parseEnvironment({
        DATABASE_URL: 'postgresql://heartline:pw@db:5432/heartline',
        MQTT_URL: 'mqtt://127.0.0.1:1883',
        HEARTLINE_TOKEN: 'hl_abc',
        LOG_FORMAT: 'pretty',
        CI: 'true',
        PATH: '/usr/bin',
      }),
    ).toEqual({
      databaseUrl: 'postgresql://heartline:pw@db:5432/heartline',
      mqttUrl: 'mqtt://127.0.0.1:1883',
      token: 'hl_abc',
      ci: true,
      logFormat: 'pretty',
    });
  });

  it('refuses a LOG_FORMAT other than json or pretty', () => {
    expect(refusal({ LOG_FORMAT: 'xml' }).message).toMatch(/LOG_FORMAT/);
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnvironment({ DATABASE_URL: '', MQTT_URL: '', HEARTLINE_TOKEN: '', CI: '' })).toEqual(
      EMPTY_ENVIRONMENT,
    );
  });

  it.each([
    ['false', false],
    ['0', false],
    ['1', true],
    ['yes', true],
  ])('reads CI=%s as %s', (value, ci) => {
    expect(parseEnvironment({ CI: value }).ci).toBe(ci);
  });

  it.each([
    [
      'DATABASE_URL',
      'mysql://db/heartline',
      /DATABASE_URL: must be a URL starting postgres:\/\/ or postgresql:\/\//,
    ],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: must be a URL/],
    ['MQTT_URL', 'http://broker:1883', /MQTT_URL: must be a URL starting mqtt:\/\//],
    ['MQTT_URL', 'broker:1883', /MQTT_URL: must be a URL/],
  ])('names %s when its value %j is not usable', (variable, value, message) => {
    const error = refusal({ [variable]: value });
    expect(error.code).toBe('ENVIRONMENT');
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it('lists every wrong variable', () => {
    const error = refusal({ DATABASE_URL: 'x', MQTT_URL: 'y' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.problems).toHaveLength(2);
  });
});

describe('runCli with a bad environment', () => {
  it('prints the variable and its code, exit code 1, before the command runs', async () => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (text: string) => (stderr += text) };
    expect(await runCli(['token', 'list'], io, { DATABASE_URL: 'mysql://db/x' })).toBe(1);
    expect(stderr).toMatch(
      /^heartline token: error \[ENVIRONMENT\]: environment: DATABASE_URL: must be a URL/,
    );
  });

  it('still shows help whatever the environment holds', async () => {
    let stdout = '';
    const io = { stdout: (text: string) => (stdout += text), stderr: () => {} };
    expect(await runCli(['token', '--help'], io, { DATABASE_URL: 'mysql://db/x' })).toBe(0);
    expect(stdout).toMatch(/usage: heartline token/);
  });
});
