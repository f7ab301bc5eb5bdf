/**
 * The cloud's TLS material: from certificate files an operator gives (`--tls-cert`, `--tls-key`,
 * `--tls-ca`), or else from the local CA in the data directory (security/local-ca.ts). Also the SHA-256
 * pin of a certificate's public key, as browsers and HPKP-style pinning take it.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TlsError } from '../errors.js';
import { ensureLocalCa } from './local-ca.js';

/** TLS settings of the cloud's listeners (HTTPS, WSS at /mqtt, MQTTS). PEM text. */
export interface CloudTlsOptions {
  /** Server certificate chain (leaf first). */
  readonly cert: string;
  readonly key: string;
  /** The CA certificate(s): verify client certificates (mutual TLS). */
  readonly ca?: string | undefined;
  /**
   * Ask MQTT clients for a certificate signed by `ca` (mutual TLS on the broker's TLS listener); a device
   * presenting one is identified by its certificate's CN. Connections without one still log in with
   * their secret. Default false.
   */
  readonly requestClientCert?: boolean | undefined;
}

/** Where the TLS material came from, for the start-up message. */
export interface ResolvedTls {
  readonly tls: CloudTlsOptions;
  /** The CA certificate file devices and browsers should trust; undefined when none was given. */
  readonly caFile: string | undefined;
  readonly certFile: string;
  readonly keyFile: string;
  readonly source: 'files' | 'local-ca';
  /** What happened to the local CA: created, reissued (server certificate), reused. */
  readonly action?: 'created' | 'reissued' | 'reused';
}

/** Reads a certificate and key (and CA) from files; TypeError when the key does not match the certificate. */
export async function readTlsFiles(files: {
  certFile: string;
  keyFile: string;
  caFile?: string | undefined;
}): Promise<CloudTlsOptions> {
  const cert = await readFile(files.certFile, 'utf8');
  const key = await readFile(files.keyFile, 'utf8');
  const ca = files.caFile === undefined ? undefined : await readFile(files.caFile, 'utf8');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new TlsError(`${files.certFile}: not a PEM certificate (${(error as Error).message})`);
  }
  if (!leaf.checkPrivateKey(createPrivateKey(key)))
    throw new TlsError(`${files.keyFile}: this key does not belong to the certificate in ${files.certFile}`);
  return { cert, key, ...(ca !== undefined ? { ca } : {}) };
}

/**
 * The TLS material of a cloud: the given files when `certFile` and `keyFile` are set (both or neither),
 * else the local CA in `<dataDir>/tls` for `hosts` (created on first use).
 */
export async function resolveCloudTls(options: {
  dataDir: string;
  hosts?: readonly string[];
  certFile?: string | undefined;
  keyFile?: string | undefined;
  caFile?: string | undefined;
  requestClientCert?: boolean;
}): Promise<ResolvedTls> {
  const mtls = options.requestClientCert ? { requestClientCert: true } : {};
  if ((options.certFile === undefined) !== (options.keyFile === undefined))
    throw new TlsError('TLS: give the certificate and its key together (--tls-cert and --tls-key)');
  if (options.certFile !== undefined && options.keyFile !== undefined) {
    const tls = await readTlsFiles({
      certFile: options.certFile,
      keyFile: options.keyFile,
      caFile: options.caFile,
    });
    return {
      tls: { ...tls, ...mtls },
      caFile: options.caFile,
      certFile: options.certFile,
      keyFile: options.keyFile,
      source: 'files',
    };
  }
  const ca = await ensureLocalCa(localCaDir(options.dataDir), { hosts: options.hosts ?? [] });
  return {
    tls: { cert: ca.cert, key: ca.key, ca: ca.ca, ...mtls },
    caFile: ca.caFile,
    certFile: ca.certFile,
    keyFile: ca.keyFile,
    source: 'local-ca',
    action: ca.action,
  };
}

/** The local CA's folder in a data directory. */
export function localCaDir(dataDir: string): string {
  return join(dataDir, 'tls');
}

/** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo (DER): the key pin browsers accept. */
export function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
