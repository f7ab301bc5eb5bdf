import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { listAudit } from '../../storage/audit-log.js';
import { ROLES } from '../../storage/tokens.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

/** One audited request as stored and listed: who, what, outcome, when (ISO 8601). */
export const AuditEntry = z
  .object({
    id: z.number().int(),
    time: z.string(),
    tokenId: z.string(),
    role: z.enum(ROLES),
    method: z.string(),
    route: z.string().openapi({ description: 'route pattern, e.g. /api/v1/channels/:channel/rollback' }),
    target: z.string().openapi({ description: 'the path called, e.g. /api/v1/channels/stable/rollback' }),
    status: z.number().int(),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntry>;

/** `GET /audit` (admin): the audit log of changing requests, newest first, a page at a time. */
export function auditRoutes(api: OpenAPIHono<ApiEnv>, { db }: ApiContext): void {
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/audit',
      summary: 'changing requests made with bearer tokens (who, what, outcome, when), newest first',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'admin')] as const,
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z.coerce
            .number()
            .int()
            .positive()
            .optional()
            .openapi({ description: 'the `next` of the previous page' }),
        }),
      },
      responses: {
        200: {
          description: 'a page of entries; `next` is absent on the last page',
          content: {
            'application/json': {
              schema: z.object({ entries: z.array(AuditEntry), next: z.number().int().optional() }),
            },
          },
        },
      },
    }),
    async (c) => {
      const { limit, before } = c.req.valid('query');
      const { entries, next } = await listAudit(db, { limit, before });
      return c.json(next === undefined ? { entries } : { entries, next }, 200);
    },
  );
}
