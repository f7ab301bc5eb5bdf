/**
 * A small JSON client for the cluster's own instances: node:https with the cluster's CA (Node's global
 * fetch takes no per-call CA), or node:http when TLS is off.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One request's options. */
export interface InstanceRequest {
  readonly method?: string;
  /** Bearer token. Default: none. */
  readonly token?: string;
  /** JSON body. Default: none. */
  readonly body?: unknown;
  /** The CA certificate (PEM) an https: server must chain to. Default: the system's. */
  readonly ca?: string | undefined;
  /** Default 120 s (a record import with its ECGs takes a while). */
  readonly timeoutMs?: number;
}

/** Sends the request and resolves with the status and the parsed JSON body (undefined when not JSON). */
export function requestJson<T>(
  url: string,
  init: InstanceRequest = {},
): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const request = send(
      target,
      {
        method: init.method ?? 'GET',
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.ca ? { ca: init.ca } : {}),
        timeout: init.timeoutMs ?? 120_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = undefined;
          }
          resolve({ status: response.statusCode ?? 0, body: parsed as T });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${init.method ?? 'GET'} ${url}: timed out`)));
    request.on('error', reject);
    request.end(body);
  });
}
