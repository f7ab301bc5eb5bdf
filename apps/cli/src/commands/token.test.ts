import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, roleOfToken } from '@heartline/cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { runCli } from '../run-cli.js';
import { parseDuration } from './token.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('parseDuration', () => {
  it('reads a number and a unit', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('45s')).toBe(45_000);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '30', 'd', '0d', '-1d', '1.5h', '30 days', '1y', '99999w', '1e3s'])
      expect(() => parseDuration(bad), bad).toThrow(UsageError);
  });
});

describe('heartline token', () => {
  let data: string;
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'hl-token-cli-'));
  });
  afterAll(async () => {
    if (data) await rm(data, { recursive: true, force: true });
  });

  it('issues a token with an expiry, lists it without secrets and revokes it', async () => {
    const issued = await run([
      'token',
      '--role',
      'operator',
      '--ttl',
      '30d',
      '--label',
      'ci',
      '--data',
      data,
    ]);
    expect(issued.code, issued.stderr).toBe(0);
    const token = issued.stdout.trim();
    expect(token).toMatch(/^hlt_/);
    const id = /^token (\S+) \(operator\), expires (\S+)/.exec(issued.stderr);
    expect(id).not.toBeNull();
    const days = (Date.parse(id![2]!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);

    const listed = await run(['token', 'list', '--data', data]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+ROLE\s+LABEL\s+CREATED\s+EXPIRES\s+REVOKED/);
    expect(listed.stdout).toContain(id![1]!);
    expect(listed.stdout).toContain('ci');
    expect(listed.stdout).not.toContain(token);

    const revoked = await run(['token', 'revoke', id![1]!, '--data', data]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`token ${id![1]} (operator) revoked`);
    const db = await openStorage({ dataDir: data });
    try {
      expect(await roleOfToken(db, token)).toBeUndefined();
    } finally {
      await db.close();
    }
    expect((await run(['token', 'revoke', 'no-such-id', '--data', data])).code).toBe(1);
  });

  it('refuses a bad --ttl or role as a usage error', async () => {
    expect((await run(['token', '--role', 'viewer', '--ttl', '30', '--data', data])).code).toBe(2);
    expect((await run(['token', '--role', 'root', '--data', data])).code).toBe(2);
    expect((await run(['token', 'revoke', '--data', data])).code).toBe(2);
  });
});
