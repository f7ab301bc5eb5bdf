import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { listDeadLetters } from '../../storage/dead-letters.js';
import { DEVICE_ID } from '../../storage/devices.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

const DeadLetter = z
  .object({
    id: z.number().int(),
    received: z.string(),
    topic: z.string(),
    deviceId: z.string().nullable(),
    reason: z.string().openapi({ description: 'the stable rejection reason, as counted in /stats' }),
    detail: z.string(),
    payload: z.string().openapi({ description: 'the raw MQTT payload, base64' }),
  })
  .openapi('DeadLetter');

/** `GET /ingest/dead-letters` (operator): messages the ingest refused for good, with their raw payload. */
export function deadLetterRoutes(api: OpenAPIHono<ApiEnv>, { db }: ApiContext): void {
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/ingest/dead-letters',
      summary: 'messages the ingest refused for good (newest first), with their raw payload for inspection',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'operator')] as const,
      request: {
        query: z.object({
          deviceId: z.string().regex(DEVICE_ID).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: {
          description: 'the newest dead letters',
          content: { 'application/json': { schema: z.object({ deadLetters: z.array(DeadLetter) }) } },
        },
      },
    }),
    async (c) => {
      const { deviceId, limit } = c.req.valid('query');
      const letters = await listDeadLetters(db, { limit, ...(deviceId === undefined ? {} : { deviceId }) });
      return c.json(
        {
          deadLetters: letters.map((l) => ({
            id: l.id,
            received: l.received,
            topic: l.topic,
            deviceId: l.deviceId ?? null,
            reason: l.reason,
            detail: l.detail,
            payload: Buffer.from(l.payload).toString('base64'),
          })),
        },
        200,
      );
    },
  );
}
