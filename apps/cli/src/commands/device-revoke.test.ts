import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, findDevice, listDevices, openStorage, writeMosquittoFiles } from '@heartline/cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-device-revoke-'));
  const db = await openStorage({ dataDir: dir });
  await addDevice(db, 'd1');
  await addDevice(db, 'd2');
  await addDevice(db, 'd3');
  await writeMosquittoFiles(join(dir, 'mosquitto'), {
    port: 1883,
    cloudPassword: 'pw',
    devices: await listDevices(db),
  });
  await db.close();
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function device(id: string) {
  const db = await openStorage({ dataDir: dir });
  try {
    return await findDevice(db, id);
  } finally {
    await db.close();
  }
}

describe('heartline device-revoke / device-rotate', () => {
  it('revokes a known device in the database', async () => {
    const { code, stdout } = await run(['device-revoke', '--id', 'd1', '--data', dir]);
    expect(code).toBe(0);
    expect(stdout).toBe('revoked d1\n');
    expect((await device('d1'))?.revoked).toBe(true);
  });

  it('rotates a secret: prints the new one once, stores only its hash', async () => {
    const before = await device('d2');
    const { code, stdout } = await run(['device-rotate', '--id', 'd2', '--data', dir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^hld_[A-Za-z0-9_-]+\n$/);
    const after = await device('d2');
    expect(after?.secretHash).not.toBe(before?.secretHash);
    expect(after?.secretHash).not.toContain(stdout.trim());
    expect(after?.revoked).toBe(false);
  });

  it('fails (exit 1) for an unknown device and (exit 2) without --id', async () => {
    expect((await run(['device-revoke', '--id', 'nobody', '--data', dir])).code).toBe(1);
    expect((await run(['device-rotate', '--id', 'nobody', '--data', dir])).code).toBe(1);
    expect((await run(['device-revoke', '--data', dir])).code).toBe(2);
  });

  it('with --mosquitto rewrites the password file without the revoked device, keeping the cloud user', async () => {
    const passwords = () => readFile(join(dir, 'mosquitto', 'passwords'), 'utf8');
    const cloudLine = (await passwords()).split('\n')[0];
    expect(await passwords()).toMatch(/^d3:/m);
    const { code, stderr } = await run([
      'device-revoke',
      '--id',
      'd3',
      '--data',
      dir,
      '--mosquitto',
      join(dir, 'mosquitto'),
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/reload it \(SIGHUP\)/);
    expect(await passwords()).not.toMatch(/^d3:/m);
    expect((await passwords()).split('\n')[0]).toBe(cloudLine);
    expect(await readFile(join(dir, 'mosquitto', 'acl'), 'utf8')).not.toMatch(/^user d3$/m);
  });

  it('refuses --mosquitto-pid without --mosquitto, and --mosquitto with --cloud', async () => {
    expect((await run(['device-revoke', '--id', 'd1', '--data', dir, '--mosquitto-pid', '12'])).code).toBe(2);
    const both = ['device-revoke', '--id', 'd1', '--cloud', 'http://127.0.0.1:1', '--mosquitto', dir];
    expect((await run(both)).code).toBe(2);
  });

  it('with --cloud needs a token in HEARTLINE_TOKEN', async () => {
    const { code, stderr } = await run(['device-revoke', '--id', 'd1', '--cloud', 'http://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/HEARTLINE_TOKEN/);
  });

  it('with --cloud and a token says in one line when the cloud cannot be reached', async () => {
    const argv = ['device-revoke', '--id', 'd1', '--cloud', 'http://127.0.0.1:1'];
    const { code, stderr } = await run(argv, { HEARTLINE_TOKEN: 'hl_token' });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^heartline device-revoke: error \[CLOUD_UNREACHABLE\]: http:\/\/127\.0\.0\.1:1 did not answer: /,
    );
  });
});
