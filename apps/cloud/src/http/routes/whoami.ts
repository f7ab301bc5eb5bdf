import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { ROLES } from '../../storage/tokens.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

/** `GET /whoami`: the caller's role. */
export const WhoAmI = z.object({ role: z.enum(ROLES) }).openapi('WhoAmI');
export type WhoAmI = z.infer<typeof WhoAmI>;

/** `/whoami` (viewer): the role of the caller's bearer token, so pages can hide controls it may not use. */
export function whoamiRoutes(api: OpenAPIHono<ApiEnv>, { db }: ApiContext): void {
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/whoami',
      summary: "the caller's role",
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: {
          description: 'role of the bearer token',
          content: { 'application/json': { schema: WhoAmI } },
        },
      },
    }),
    (c) => c.json({ role: c.get('role') }, 200),
  );
}
