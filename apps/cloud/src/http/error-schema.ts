/** The error body every failing request answers with (see `error-status.ts`), for the OpenAPI document. */
import { z } from '@hono/zod-openapi';

/** `{ error: { code, message } }`: `code` is stable (UNAUTHENTICATED, FORBIDDEN, PAYLOAD_TOO_LARGE…). */
export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi('Error');

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'the request does not match the schema or is not acceptable',
  401: 'missing, unknown, expired or revoked bearer token',
  403: "the token's role does not allow this (or the server-side folder is not allowed or not found)",
  404: 'not found',
  409: 'conflict',
  413: 'the body is larger than the limit',
};

/** OpenAPI `responses` entries for the given error statuses, all with the {@link ErrorBody} schema. */
export function errorResponses<const S extends readonly number[]>(
  ...statuses: S
): {
  [K in S[number]]: { description: string; content: { 'application/json': { schema: typeof ErrorBody } } };
} {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: DESCRIPTIONS[s] ?? 'error', content: { 'application/json': { schema: ErrorBody } } },
    ]),
  ) as never;
}
