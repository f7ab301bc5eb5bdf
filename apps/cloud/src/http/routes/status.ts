import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { countEmbeddings } from '../../storage/embeddings.js';
import { listRejections } from '../../storage/rejections.js';
import { usesInProcessEcgIndex } from '../../storage/releases.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

const Health = z
  .object({
    ok: z.boolean(),
    database: z.string(),
    pgvector: z.boolean().openapi({ description: 'the database has the pgvector extension' }),
    ecgSearch: z.enum(['in-process', 'pgvector']).openapi({
      description: "where device embeddings are searched: this instance's index, or pgvector's HNSW",
    }),
  })
  .openapi('Health');
const Stats = z
  .object({
    embeddings: z.number().int(),
    ingest: z.object({
      received: z.number().int(),
      stored: z.number().int(),
      duplicates: z.number().int(),
      rejected: z.record(z.string(), z.number().int()),
      waiting: z.number().int().openapi({ description: 'messages not yet stored, so not yet acknowledged' }),
      storageFailing: z.boolean().openapi({ description: 'the database refused the last store; retrying' }),
    }),
    rejectionsStored: z.record(z.string(), z.number().int()),
  })
  .openapi('Stats');

/** `/health` (open) and `/stats` (viewer): is the service up, what the ingest did. */
export function statusRoutes(api: OpenAPIHono<ApiEnv>, { db, ingest }: ApiContext): void {
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/health',
      responses: { 200: { description: 'service up', content: { 'application/json': { schema: Health } } } },
    }),
    async (c) => {
      await db.query('SELECT 1');
      return c.json(
        {
          ok: true,
          database: db.kind,
          pgvector: db.pgvector,
          ecgSearch: usesInProcessEcgIndex(db) ? ('in-process' as const) : ('pgvector' as const),
        },
        200,
      );
    },
  );
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/stats',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: { description: 'ingest counters', content: { 'application/json': { schema: Stats } } },
      },
    }),
    async (c) =>
      c.json(
        {
          embeddings: await countEmbeddings(db),
          ingest: ingest.stats(),
          rejectionsStored: await listRejections(db),
        },
        200,
      ),
  );
}
