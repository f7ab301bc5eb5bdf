/**
 * A local certificate authority for the cloud's TLS listeners: an EC P-256 CA key and self-signed CA
 * certificate, and a server key and certificate signed by it for `localhost`, `127.0.0.1`, `::1` and any
 * extra host names or IP addresses. Keys are made with node:crypto; certificates by the `openssl` command
 * (no hand-written ASN.1). Created once into a folder (0700, keys 0600) and reused on later starts; the
 * server certificate alone is issued again when it lacks a requested name, expires within 30 days or
 * was not signed by the CA on disk. Devices and browsers trust the CA certificate (`ca.pem`).
 *
 * The same CA issues client certificates for mutual TLS (`issueClientCertificate`: CN = device id).
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TlsError } from '../errors.js';

const run = promisify(execFile);

/** File names inside the CA folder. */
export const LOCAL_CA_FILES = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  cert: 'server.pem',
  key: 'server-key.pem',
} as const;

/** Names every server certificate covers. */
export const DEFAULT_SERVER_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** The CA folder's files and their PEM text. */
export interface LocalCa {
  readonly dir: string;
  /** The CA certificate devices and browsers trust. */
  readonly caFile: string;
  readonly caKeyFile: string;
  /** Server certificate (leaf) and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** The host names and IPs the server certificate covers. */
  readonly hosts: readonly string[];
  /** What this call did: created the CA, issued a new server certificate, or reused both. */
  readonly action: 'created' | 'reissued' | 'reused';
}

/** Options of {@link ensureLocalCa}. */
export interface LocalCaOptions {
  /** Extra host names / IP addresses for the server certificate (beside localhost, 127.0.0.1, ::1). */
  readonly hosts?: readonly string[];
  /** Common name of the CA. Default `heartline local CA`. */
  readonly caName?: string;
}

const DNS_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Throws TypeError unless `host` is an IP address or a plain DNS name (no wildcards, no spaces). */
export function checkHostName(host: string): void {
  if (isIP(host) === 0 && !DNS_NAME.test(host)) {
    throw new TypeError(`TLS host name: '${host}' is neither an IP address nor a DNS name`);
  }
}

/** The hosts a server certificate should cover: the defaults plus `extra`, once each, wildcards dropped. */
export function serverHosts(extra: readonly string[] = []): string[] {
  const all = [...DEFAULT_SERVER_HOSTS];
  for (const host of extra) {
    // Listening on every interface is not a name a client connects to.
    if (host === '0.0.0.0' || host === '::' || host === '') continue;
    checkHostName(host);
    if (!all.some((h) => h.toLowerCase() === host.toLowerCase())) all.push(host);
  }
  return all;
}

function subjectAltName(hosts: readonly string[]): string {
  return hosts
    .map((h) => {
      const kind = isIP(h);
      if (kind === 0) return `DNS:${h}`;
      // openssl reads IPv6 in its full colon form; `::1` alone is ambiguous in a config value.
      return `IP:${kind === 6 ? expandIpv6(h) : h}`;
    })
    .join(',');
}

function expandIpv6(ip: string): string {
  const [head = '', tail = ''] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const zeros = ip.includes('::') ? Array(8 - a.length - b.length).fill('0') : [];
  return [...a, ...zeros, ...b].join(':');
}

/** True when `cert` names `host` (DNS name or IP address). */
export function certificateCovers(cert: X509Certificate, host: string): boolean {
  return isIP(host) === 0 ? cert.checkHost(host) !== undefined : cert.checkIP(host) !== undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}

function newKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Runs `openssl` with a minimal config of its own (no dependence on the system's openssl.cnf). */
async function openssl(work: string, args: readonly string[]): Promise<void> {
  try {
    await run('openssl', [...args], {
      cwd: work,
      env: { ...process.env, OPENSSL_CONF: join(work, 'openssl.cnf') },
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new TlsError('TLS: the openssl command is needed to create the local CA');
    throw new TlsError(`TLS: openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`, { cause: error });
  }
}

async function withWorkDir<T>(task: (work: string) => Promise<T>): Promise<T> {
  const work = await mkdtemp(join(tmpdir(), 'heartline-ca-'));
  try {
    await writeFile(join(work, 'openssl.cnf'), '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n');
    return await task(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function serial(): string {
  // 127 random bits: a positive serial of at most 16 bytes.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

function subjectName(commonName: string): string {
  // `/` and `\` would split or escape the name in openssl's -subj syntax.
  if (!/^[A-Za-z0-9 ._@:-]{1,64}$/.test(commonName))
    throw new TypeError(`certificate name: '${commonName}' must be 1–64 characters of [A-Za-z0-9 ._@:-]`);
  return `/CN=${commonName}/O=heartline`;
}

async function createCaCertificate(caKeyFile: string, caFile: string, name: string): Promise<void> {
  await withWorkDir((work) =>
    openssl(work, [
      'req',
      '-x509',
      '-new',
      '-key',
      caKeyFile,
      '-sha256',
      '-days',
      '3650',
      '-subj',
      subjectName(name),
      '-set_serial',
      serial(),
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash',
      '-out',
      caFile,
    ]),
  );
}

/** Signs a certificate for `keyFile` with the CA: a server certificate (SANs) or a client one. */
async function signLeaf(
  ca: { caFile: string; caKeyFile: string },
  leaf: {
    keyFile: string;
    certFile: string;
    commonName: string;
    hosts?: readonly string[];
    usage: 'server' | 'client';
    days: number;
  },
): Promise<void> {
  await withWorkDir(async (work) => {
    const ext = [
      '[leaf]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyAgreement',
      `extendedKeyUsage = ${leaf.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid,issuer',
      ...(leaf.hosts && leaf.hosts.length > 0 ? [`subjectAltName = ${subjectAltName(leaf.hosts)}`] : []),
      '',
    ].join('\n');
    await writeFile(join(work, 'leaf.cnf'), ext);
    await openssl(work, [
      'req',
      '-new',
      '-key',
      leaf.keyFile,
      '-subj',
      subjectName(leaf.commonName),
      '-out',
      join(work, 'leaf.csr'),
    ]);
    await openssl(work, [
      'x509',
      '-req',
      '-in',
      join(work, 'leaf.csr'),
      '-CA',
      ca.caFile,
      '-CAkey',
      ca.caKeyFile,
      '-set_serial',
      serial(),
      '-days',
      String(leaf.days),
      '-sha256',
      '-extfile',
      join(work, 'leaf.cnf'),
      '-extensions',
      'leaf',
      '-out',
      leaf.certFile,
    ]);
  });
}

const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Why an existing server certificate cannot be reused, or undefined when it can. */
function serverCertProblem(certPem: string, keyPem: string, caPem: string, hosts: readonly string[]) {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.verify(ca.publicKey)) return 'not signed by the CA';
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'does not match its key';
    if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return 'expires soon';
    const missing = hosts.filter((h) => !certificateCovers(cert, h));
    if (missing.length > 0) return `does not cover ${missing.join(', ')}`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function caUsable(caPem: string, caKeyPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return (
      ca.ca &&
      ca.checkPrivateKey(createPrivateKey(caKeyPem)) &&
      Date.parse(ca.validTo) - Date.now() > RENEW_BEFORE_MS
    );
  } catch {
    return false;
  }
}

/**
 * The local CA in `dir`: created on first use, reused afterwards (see the file comment). The folder is
 * made 0700 and the keys 0600.
 */
export async function ensureLocalCa(dir: string, options: LocalCaOptions = {}): Promise<LocalCa> {
  const hosts = serverHosts(options.hosts);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const caFile = join(dir, LOCAL_CA_FILES.caCert);
  const caKeyFile = join(dir, LOCAL_CA_FILES.caKey);
  const certFile = join(dir, LOCAL_CA_FILES.cert);
  const keyFile = join(dir, LOCAL_CA_FILES.key);

  let action: LocalCa['action'] = 'reused';
  const haveCa =
    (await exists(caFile)) &&
    (await exists(caKeyFile)) &&
    caUsable(await readFile(caFile, 'utf8'), await readFile(caKeyFile, 'utf8'));
  if (!haveCa) {
    await writePrivate(caKeyFile, newKeyPem());
    await createCaCertificate(caKeyFile, caFile, options.caName ?? 'heartline local CA');
    action = 'created';
  }
  const ca = await readFile(caFile, 'utf8');
  const reusable =
    action === 'reused' &&
    (await exists(certFile)) &&
    (await exists(keyFile)) &&
    serverCertProblem(await readFile(certFile, 'utf8'), await readFile(keyFile, 'utf8'), ca, hosts) ===
      undefined;
  if (!reusable) {
    await writePrivate(keyFile, newKeyPem());
    await signLeaf(
      { caFile, caKeyFile },
      { keyFile, certFile, commonName: 'heartline server', hosts, usage: 'server', days: 397 },
    );
    if (action === 'reused') action = 'reissued';
  }
  const cert = await readFile(certFile, 'utf8');
  // Names covered by a reused certificate may be more than asked for this time.
  return {
    dir,
    caFile,
    caKeyFile,
    certFile,
    keyFile,
    ca,
    cert,
    key: await readFile(keyFile, 'utf8'),
    hosts,
    action,
  };
}

/** A client certificate and its key, issued by the local CA. */
export interface ClientCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Issues a client certificate (extended key usage clientAuth, CN = `commonName`, e.g. a device id)
 * signed by the CA in `ca`, written as `<outDir>/<name>.pem` and `<outDir>/<name>-key.pem` (0600).
 */
export async function issueClientCertificate(
  ca: Pick<LocalCa, 'caFile' | 'caKeyFile'>,
  commonName: string,
  outDir: string,
  options: { days?: number; name?: string } = {},
): Promise<ClientCertificate> {
  const name = options.name ?? commonName;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new TypeError(`client certificate: '${name}' is not a usable file name`);
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  const keyFile = join(outDir, `${name}-key.pem`);
  const certFile = join(outDir, `${name}.pem`);
  await writePrivate(keyFile, newKeyPem());
  await signLeaf(ca, { keyFile, certFile, commonName, usage: 'client', days: options.days ?? 397 });
  return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}
