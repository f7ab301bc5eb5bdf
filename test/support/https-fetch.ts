/**
 * A `fetch` for tests that trusts one CA and nothing else (Node's global fetch has no per-call CA):
 * requests go through node:https with `ca`, answers come back as a standard Response.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Request options the tests use. */
export interface TestRequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A fetch whose HTTPS requests verify the server against `caPem` (plain http: URLs pass through). */
export function fetchTrusting(caPem: string): (url: string, init?: TestRequestInit) => Promise<Response> {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        target,
        { method: init.method ?? 'GET', headers: init.headers ?? {}, ca: caPem },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            const status = response.statusCode ?? 0;
            const body =
              chunks.length === 0 || status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers }));
          });
        },
      );
      request.on('error', reject);
      if (init.body !== undefined) request.write(init.body);
      request.end();
    });
}
