import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiContext, ApiEnv } from '../app.js';
import { createApiRoute } from '../error-schema.js';

const CHECKS = ['database', 'broker', 'vectorIndex'] as const;

const Readiness = z
  .object({
    ready: z.boolean(),
    checks: z.object({
      database: z.boolean().openapi({ description: 'the database answers and holds every migration' }),
      broker: z
        .boolean()
        .openapi({ description: 'the embedding subscription is made and the broker link is up' }),
      vectorIndex: z.boolean().openapi({
        description: 'the in-process vector index has read the rows present at start (true without one)',
      }),
    }),
    waitingFor: z.array(z.enum(CHECKS)).openapi({ description: 'the checks not yet true' }),
  })
  .openapi('Readiness');

/**
 * `/ready` (open, as `/health`): 200 when this instance can take traffic, else 503 with the checks not
 * yet true. `/health` stays the liveness check (the process and its database answer).
 */
export function readinessRoutes(api: OpenAPIHono<ApiEnv>, { readiness }: ApiContext): void {
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/ready',
      summary: 'readiness: database migrated, broker subscribed, vector index caught up',
      responses: {
        200: { description: 'ready for traffic', content: { 'application/json': { schema: Readiness } } },
        503: {
          description: 'not ready yet: `waitingFor` names the checks not yet true',
          content: { 'application/json': { schema: Readiness } },
        },
      },
    }),
    async (c) => {
      const answer = await readiness();
      const body = { ...answer, waitingFor: [...answer.waitingFor] };
      return answer.ready ? c.json(body, 200) : c.json(body, 503);
    },
  );
}
