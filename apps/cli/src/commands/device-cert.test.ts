import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-device-cert-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('heartline device-cert', () => {
  it('issues a client certificate with CN = the device id from the local CA beside the data directory', async () => {
    const { code, stdout } = await run(['device-cert', '--id', 'dev-9', '--data', join(dir, 'cloud')]);
    expect(code).toBe(0);
    expect(stdout).toContain(join(dir, 'device-certs', 'dev-9.pem'));
    const cert = new X509Certificate(await readFile(join(dir, 'device-certs', 'dev-9.pem')));
    const ca = new X509Certificate(await readFile(join(dir, 'tls', 'ca.pem')));
    expect(cert.subject).toContain('CN=dev-9');
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect((await stat(join(dir, 'device-certs', 'dev-9-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a missing or malformed id', async () => {
    expect((await run(['device-cert', '--data', join(dir, 'cloud')])).code).toBe(2);
    expect((await run(['device-cert', '--id', '../x', '--data', join(dir, 'cloud')])).code).toBe(2);
  });
});
