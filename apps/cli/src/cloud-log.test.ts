import { describe, expect, it } from 'vitest';
import { cliLogger, logFormatOption } from './cloud-log.js';
import { UsageError } from './errors.js';

describe('logFormatOption', () => {
  it('takes the flag over LOG_FORMAT over the command default', () => {
    expect(logFormatOption('json', 'pretty', 'pretty')).toBe('json');
    expect(logFormatOption(undefined, 'json', 'pretty')).toBe('json');
    expect(logFormatOption(undefined, undefined, 'pretty')).toBe('pretty');
  });

  it('refuses another format', () => {
    expect(() => logFormatOption('xml', undefined, 'json')).toThrow(UsageError);
  });
});

describe('cliLogger', () => {
  it('writes JSON lines with the instance in json format', () => {
    const out: string[] = [];
    cliLogger('json', (text) => out.push(text))
      .child({ instance: 'host-8080' })
      .warn({ component: 'ingest' }, 'rejected (malformed): dev-1');
    expect(out).toHaveLength(1);
    expect(out[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(out[0]!)).toMatchObject({
      level: 'warn',
      instance: 'host-8080',
      component: 'ingest',
      msg: 'rejected (malformed): dev-1',
    });
  });

  it('writes one readable line per record in pretty format', () => {
    const out: string[] = [];
    cliLogger('pretty', (text) => out.push(text))
      .child({ instance: 'host-8080' })
      .info({ component: 'cloud' }, 'release r1 registered');
    expect(out.join('')).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: cloud: release r1 registered\n$/);
  });
});
