/**
 * The device's side of TLS: the CA it verifies the cloud against (given at provisioning, `--ca`), and
 * optionally its own certificate and key for mutual TLS. Used by the MQTT link (mqtts://, wss://) and by
 * model downloads over HTTPS; a certificate the CA did not sign is refused, never ignored.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { DeviceManifest } from '@heartline/model/onnx';
import { RefusedRelease } from '../updates/release-checks.js';
import { verifyModelBytes } from '../updates/verify-release.js';

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

/** An error that says the server's certificate was not trusted. */
export class UntrustedServerError extends Error {
  constructor(
    readonly url: string,
    readonly code: string,
    detail: string,
  ) {
    super(
      `TLS: ${url} is not trusted (${code}: ${detail}); the device verifies the server against its --ca file`,
    );
    this.name = 'UntrustedServerError';
  }
}

/**
 * A clearer error for TLS failures (untrusted or mismatched certificate, TLS spoken to a plaintext
 * port); other errors are returned as they are.
 */
export function explainTlsError(error: Error, url: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (CERTIFICATE_CODES.has(code)) return new UntrustedServerError(url, code, error.message);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(error.message))
    return new Error(`TLS: ${url} does not speak TLS on this port (${error.message})`);
  return error;
}

/**
 * Downloads the manifest's ONNX file with node:https verifying the server against `tls.ca` (http: URLs
 * are plain; the bytes are checked against the signed manifest either way), reading at most the
 * announced size + 1 byte; then checks size and sha256. Failures are RefusedRelease('download').
 */
export async function downloadModelWithTls(
  manifest: DeviceManifest,
  tls: DeviceTlsOptions,
  timeoutMs = 60_000,
  authorization?: string,
): Promise<Uint8Array> {
  const url = manifest.onnx.url;
  if (!url) throw new RefusedRelease('malformed', manifest.release, 'the manifest has no onnx.url');
  let bytes: Uint8Array;
  try {
    bytes = await getLimited(url, manifest.onnx.bytes + 1, tls, timeoutMs, authorization);
  } catch (error) {
    const why = explainTlsError(error as Error, url).message;
    throw new RefusedRelease('download', manifest.release, `GET ${url} failed: ${why}`);
  }
  verifyModelBytes(manifest, bytes);
  return bytes;
}

function getLimited(
  url: string,
  limit: number,
  tls: DeviceTlsOptions,
  timeoutMs: number,
  authorization?: string,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const signal = AbortSignal.timeout(timeoutMs);
    const headers = authorization === undefined ? {} : { authorization };
    const onResponse = (response: IncomingMessage) => {
      if ((response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) >= 300) {
        response.resume();
        reject(new Error(`HTTP ${response.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        total += chunk.byteLength;
        if (total >= limit) {
          response.destroy();
          resolve(new Uint8Array(Buffer.concat(chunks)));
        }
      });
      response.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      response.on('error', reject);
    };
    const request =
      parsed.protocol === 'https:'
        ? httpsGet(parsed, { ...tlsConnectOptions(tls), signal, headers }, onResponse)
        : parsed.protocol === 'http:'
          ? httpGet(parsed, { signal, headers }, onResponse)
          : undefined;
    if (!request) {
      reject(new Error(`unsupported URL scheme ${parsed.protocol}`));
      return;
    }
    request.on('error', reject);
  });
}
