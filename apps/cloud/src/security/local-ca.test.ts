import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalCa, issueClientCertificate, serverHosts } from './local-ca.js';
import { readTlsFiles, resolveCloudTls, spkiSha256 } from './tls-files.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-local-ca-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('local CA', () => {
  it('creates a CA and a server certificate that verifies against it, with private files', async () => {
    const dir = join(work, 'a', 'tls');
    const ca = await ensureLocalCa(dir, { hosts: ['heart.example', '10.1.2.3', '0.0.0.0'] });
    expect(ca.action).toBe('created');
    const caCert = new X509Certificate(ca.ca);
    const cert = new X509Certificate(ca.cert);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('heart.example')).toBe('heart.example');
    expect(cert.checkHost('other.example')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBeDefined();
    expect(cert.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(cert.checkIP('0.0.0.0')).toBeUndefined();
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(ca.caKeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(ca.keyFile)).mode & 0o777).toBe(0o600);
    // Another, independent CA does not verify this certificate.
    const other = await ensureLocalCa(join(work, 'other'));
    expect(cert.verify(new X509Certificate(other.ca).publicKey)).toBe(false);
  });

  it('reuses the files on a later start, and reissues only the server certificate for a new name', async () => {
    const dir = join(work, 'b');
    const first = await ensureLocalCa(dir);
    const again = await ensureLocalCa(dir);
    expect(again.action).toBe('reused');
    expect(again.cert).toBe(first.cert);
    expect(again.ca).toBe(first.ca);
    const wider = await ensureLocalCa(dir, { hosts: ['ecg.local'] });
    expect(wider.action).toBe('reissued');
    expect(wider.ca).toBe(first.ca);
    expect(wider.cert).not.toBe(first.cert);
    expect(new X509Certificate(wider.cert).checkHost('ecg.local')).toBe('ecg.local');
    expect(new X509Certificate(wider.cert).verify(new X509Certificate(first.ca).publicKey)).toBe(true);
  });

  it('refuses host names that are not names (no config injection)', async () => {
    expect(() => serverHosts(['a,DNS:evil'])).toThrow(TypeError);
    expect(() => serverHosts(['*.example'])).toThrow(TypeError);
    expect(() => serverHosts(['x\nbasicConstraints=CA:TRUE'])).toThrow(TypeError);
    expect(serverHosts(['LOCALHOST', '::'])).toEqual(['localhost', '127.0.0.1', '::1']);
  });

  it('issues client certificates (CN = device id) signed by the CA', async () => {
    const ca = await ensureLocalCa(join(work, 'c'));
    const issued = await issueClientCertificate(ca, 'dev-7', join(work, 'c-clients'));
    const cert = new X509Certificate(issued.cert);
    expect(cert.subject).toContain('CN=dev-7');
    expect(cert.verify(new X509Certificate(ca.ca).publicKey)).toBe(true);
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth
    expect((await stat(issued.keyFile)).mode & 0o777).toBe(0o600);
  });
});

describe('TLS files', () => {
  it('certificate files given by flags override the local CA', async () => {
    const given = await ensureLocalCa(join(work, 'given'));
    const data = join(work, 'data');
    const fromFiles = await resolveCloudTls({
      dataDir: data,
      certFile: given.certFile,
      keyFile: given.keyFile,
      caFile: given.caFile,
    });
    expect(fromFiles.source).toBe('files');
    expect(fromFiles.tls.cert).toBe(given.cert);
    expect(fromFiles.caFile).toBe(given.caFile);
    await expect(stat(join(data, 'tls'))).rejects.toThrow();
    const local = await resolveCloudTls({ dataDir: data });
    expect(local.source).toBe('local-ca');
    expect(local.caFile).toBe(join(data, 'tls', 'ca.pem'));
    await expect(resolveCloudTls({ dataDir: data, certFile: given.certFile })).rejects.toThrow(/together/);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const a = await ensureLocalCa(join(work, 'mismatch-a'));
    const b = await ensureLocalCa(join(work, 'mismatch-b'));
    await expect(readTlsFiles({ certFile: a.certFile, keyFile: b.keyFile })).rejects.toThrow(
      /does not belong/,
    );
    const notPem = join(work, 'not.pem');
    await writeFile(notPem, 'hello');
    await expect(readTlsFiles({ certFile: notPem, keyFile: a.keyFile })).rejects.toThrow(/not a PEM/);
  });

  it('pins the SubjectPublicKeyInfo: base64 SHA-256, 44 characters', async () => {
    const a = await ensureLocalCa(join(work, 'pin'));
    const pin = spkiSha256(await readFile(a.certFile, 'utf8'));
    expect(pin).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(spkiSha256(a.ca)).not.toBe(pin);
  });
});
