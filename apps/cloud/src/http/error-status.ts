/**
 * The one place errors become HTTP statuses: every cloud and model error class by its stable `code`.
 * Anything else is a 500 whose details stay in the log.
 */
import { HeartlineError } from '@heartline/model/errors';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const STATUS_BY_CODE: Readonly<Record<string, ContentfulStatusCode>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  FOLDER_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  CONFLICT: 409,
  INVALID_ARGUMENT: 400,
  FHIR: 400,
  CSV: 400,
  DATASET: 400,
  RELEASE: 422,
  WIRE: 400,
  STORAGE: 503,
  PAYLOAD_TOO_LARGE: 413,
};

/** The status an error maps to. */
export function statusOf(error: unknown): ContentfulStatusCode {
  // Hono's own (malformed JSON body and the like) carry their status.
  if (error instanceof HTTPException) return error.status as ContentfulStatusCode;
  return error instanceof HeartlineError ? (STATUS_BY_CODE[error.code] ?? 500) : 500;
}

/** Hono `onError` handler: `{ error: { code, message } }` with the mapped status. */
export function errorResponse(error: Error, c: Context): Response {
  const status = statusOf(error);
  if (status === 500) {
    process.stderr.write(`api: ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}\n`);
    return c.json({ error: { code: 'INTERNAL', message: 'internal error' } }, 500);
  }
  const code =
    error instanceof HeartlineError ? error.code : status === 400 ? 'BAD_REQUEST' : `HTTP_${status}`;
  return c.json({ error: { code, message: error.message } }, status);
}
