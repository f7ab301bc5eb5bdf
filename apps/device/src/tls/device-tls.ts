/**
 * The device's side of TLS: the CA it verifies the cloud against (given at provisioning, `--ca`), and
 * optionally its own certificate and key for mutual TLS. Used by the MQTT link (mqtts://, wss://) and by
 * model downloads over HTTPS; a certificate the CA did not sign is refused, never ignored.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { DeviceManifest } from '@heartline/model/onnx';
import { DownloadError, RefusedRelease } from '../errors.js';
import { verifyModelBytes } from '../updates/verify-release.js';
import { type DeviceTlsOptions, explainTlsError, tlsConnectOptions } from './tls-options.js';

export type { DeviceTlsOptions } from './tls-options.js';
export { explainTlsError, tlsConnectOptions, UntrustedServerError } from './tls-options.js';

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
        reject(new DownloadError(`HTTP ${response.statusCode}`));
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
      reject(new DownloadError(`unsupported URL scheme ${parsed.protocol}`));
      return;
    }
    request.on('error', reject);
  });
}
