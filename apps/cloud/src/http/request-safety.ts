/**
 * Request and response hygiene for every route: a body size limit (413), JSON bodies whose strings hold
 * NUL or lone UTF-16 surrogates refused up front (400; PostgreSQL cannot store them and would answer an
 * error the caller cannot read), security headers on every response, and the audit log of changing
 * requests made with a bearer token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { BadRequestError, PayloadTooLargeError } from '../errors.js';
import { findUnsafeText, UNSAFE_TEXT_MESSAGE } from '../security/safe-text.js';
import { appendAudit } from '../storage/audit-log.js';
import type { SqlDriver } from '../storage/driver.js';
import type { AuthVariables } from './auth.js';

/** Default largest request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Refuses bodies over `maxBytes` with a 413 `PAYLOAD_TOO_LARGE` before anything parses them. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
}

/**
 * Refuses JSON bodies with NUL or lone surrogates in any string (400 naming where). A body that is not
 * JSON passes on to the route, which reports it as usual.
 */
export const refuseUnsafeText: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type') ?? '';
  if (c.req.raw.body && /^application\/(.+\+)?json\b/i.test(type)) {
    let body: unknown;
    let parsed = false;
    try {
      // Cached by Hono: the route's own parsing reads the same body again.
      body = await c.req.json();
      parsed = true;
    } catch {
      // Not JSON: the route answers its own 400.
    }
    const where = parsed ? findUnsafeText(body) : undefined;
    if (where !== undefined) {
      throw new BadRequestError(`${where}: ${UNSAFE_TEXT_MESSAGE}`);
    }
  }
  await next();
};

/** A Host header value safe to repeat in a header (host, IPv4, [IPv6], optional port). */
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

/**
 * The Content-Security-Policy: everything from this origin only; wasm compilation allowed for the device
 * page's onnxruntime-web; the MQTT-over-WebSocket of this host; no framing, no plugins.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const ws = host !== undefined && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the security headers on every response, error responses included. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const headers = c.res.headers;
  headers.set('Content-Security-Policy', contentSecurityPolicy(c.req.header('host')));
  headers.set('X-Frame-Options', 'DENY');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
};

/**
 * Records every request that is not GET, HEAD or OPTIONS and got past token authentication (whatever its
 * outcome, 403 included) in the audit log. A failure to write is logged, never the caller's problem.
 */
export function auditChanges(db: SqlDriver): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c: Context<{ Variables: AuthVariables }>, next) => {
    await next();
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
    const tokenId = c.get('tokenId');
    const role = c.get('role');
    if (tokenId === undefined || role === undefined) return;
    await appendAudit(db, {
      tokenId,
      role,
      method,
      route: routePath(c, -1),
      target: c.req.path,
      status: c.res.status,
    }).catch((error: Error) => {
      process.stderr.write(`api: audit log: ${error.message}\n`);
    });
  };
}
