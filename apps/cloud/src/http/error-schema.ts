/**
 * The error body every failing request answers with (see `error-status.ts`) and the helper that documents
 * a route's error answers with it in the OpenAPI document.
 */
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { roleOfMiddleware } from './auth.js';

/** `{ error: { code, message } }`: `code` is stable (UNAUTHENTICATED, FORBIDDEN, PAYLOAD_TOO_LARGE…). */
export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi('Error');

/** The statuses `error-status.ts` answers with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 500 | 503;

const DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'the request does not match the schema or is not acceptable',
  401: 'missing, unknown, expired or revoked bearer token',
  403: "the token's role does not allow this (or the server-side folder is not allowed or not found)",
  404: 'not found',
  409: 'conflict with the current state',
  413: 'the body is larger than the limit',
  422: 'the release is not valid',
  500: 'internal error (the details are in the server log)',
  503: 'the database is failing',
};

/** Methods whose requests may carry a body: the body limit (413) and the JSON text check (400) apply. */
const WITH_BODY = new Set(['post', 'put', 'patch', 'delete']);

/**
 * `route` with its error answers documented, all with {@link ErrorBody}. Derived from the route: 400 when
 * it takes parameters, a query or a body; 401 when it needs a bearer token; 403 when its middleware needs
 * more than the least role; 413 for methods that carry a body; 500 always. `extra` adds what only the
 * handler knows (404 for an unknown id, 409 for a conflict, 422 for an invalid release).
 */
export function withErrors<R extends RouteConfig>(route: R, ...extra: readonly ErrorStatus[]): R {
  const statuses = new Set<ErrorStatus>([...extra, 500]);
  const request = route.request ?? {};
  const carriesBody = WITH_BODY.has(route.method);
  if (request.params || request.query || request.body || carriesBody) statuses.add(400);
  if (route.security?.length) statuses.add(401);
  const middleware = route.middleware === undefined ? [] : [route.middleware].flat();
  if (middleware.some((m) => (roleOfMiddleware(m) ?? 'viewer') !== 'viewer')) statuses.add(403);
  if (carriesBody) statuses.add(413);
  const errors = Object.fromEntries(
    [...statuses]
      .sort((a, b) => a - b)
      .map((s) => [
        s,
        { description: DESCRIPTIONS[s], content: { 'application/json': { schema: ErrorBody } } },
      ]),
  );
  return { ...route, responses: { ...errors, ...route.responses } };
}

/** `createRoute` with the route's error answers documented (see {@link withErrors}). */
export function createApiRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  route: R,
  ...extra: readonly ErrorStatus[]
) {
  return createRoute(withErrors(route, ...extra));
}
