import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

/**
 * `/metrics` (viewer): this instance's Prometheus metrics. A bearer token is asked for, as for `/stats`:
 * the series name releases, channels, jobs and rejection reasons, which the API shows viewers only.
 * Prometheus sends one with `authorization: {credentials_file: …}` in its scrape config.
 */
export function metricsRoutes(api: OpenAPIHono<ApiEnv>, { db, metrics }: ApiContext): void {
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/metrics',
      summary: "this instance's metrics in the Prometheus text format (every series labelled instance)",
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: {
          description: 'Prometheus text exposition format 0.0.4',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    }),
    async (c) => c.text(await metrics.scrape(), 200, { 'content-type': metrics.contentType }),
  );
}
