/**
 * The device's TLS settings and how its TLS failures read: what mqtt.js and node:https take, with no
 * runtime import, so the MQTT link loads in a browser page too (where the browser does TLS itself).
 */
import { NotTlsError, UntrustedServerError } from '../errors.js';

export { UntrustedServerError } from '../errors.js';

/** PEM text (or bytes) of the trusted CA and of the device's own client certificate. */
export interface DeviceTlsOptions {
  /** The CA (PEM) the server's certificate must chain to; replaces the system's CA list. */
  readonly ca?: string | Buffer | undefined;
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly cert?: string | Buffer | undefined;
  readonly key?: string | Buffer | undefined;
}

/** Options for Node's tls.connect (and mqtt.js): the given CA only, server verification always on. */
export function tlsConnectOptions(tls: DeviceTlsOptions): {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: true;
} {
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    rejectUnauthorized: true,
  };
}

const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A clearer error for TLS failures (untrusted or mismatched certificate, TLS spoken to a plaintext
 * port); other errors are returned as they are.
 */
export function explainTlsError(error: Error, url: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (CERTIFICATE_CODES.has(code)) return new UntrustedServerError(url, code, error.message);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(error.message))
    return new NotTlsError(url, error.message);
  return error;
}
