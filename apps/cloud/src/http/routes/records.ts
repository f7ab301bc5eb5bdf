import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { BadRequestError } from '../../errors.js';
import { recordsFromFhir } from '../../records/fhir-diagnostic-report.js';
import { importPtbxlRecords } from '../../records/import-ptbxl.js';
import { importPtbxlEcgs } from '../../records/import-ptbxl-ecgs.js';
import { ingestRecords } from '../../records/ingest-records.js';
import { RecordInputSchema } from '../../records/record-input.js';
import { resolveImportPath } from '../../security/import-roots.js';
import { findUnsafeText, UNSAFE_TEXT_MESSAGE } from '../../security/safe-text.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

const Stored = z.object({ stored: z.number().int(), ids: z.array(z.string()) }).openapi('RecordsStored');
const MAX_RECORDS = 1000;

/** Parses a records body: one JSON record, an array of them, or a FHIR DiagnosticReport / Bundle. */
function parseBody(body: unknown): { records: z.input<typeof RecordInputSchema>[]; source: string } {
  if (typeof body === 'object' && body !== null && 'resourceType' in body) {
    const records = recordsFromFhir(body);
    // The FHIR mapping checks its own fields; text must still be storable (the body check does the
    // same for every JSON body, this keeps the route safe on its own).
    const unsafe = findUnsafeText(records, 'records');
    if (unsafe !== undefined) throw new BadRequestError(`${unsafe}: ${UNSAFE_TEXT_MESSAGE}`);
    return { records, source: 'fhir' };
  }
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > MAX_RECORDS) {
    throw new BadRequestError(`send 1–${MAX_RECORDS} records, got ${list.length}`);
  }
  const parsed = z.array(RecordInputSchema).safeParse(list);
  if (!parsed.success) {
    throw new BadRequestError(
      'records do not match the schema',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  }
  return { records: parsed.data, source: 'json' };
}

/** `POST /records` (JSON or FHIR) and `POST /records/import` (PTB-XL-layout folder): operator. */
export function recordRoutes(
  api: OpenAPIHono<ApiEnv>,
  { db, releases, ecgIndex, importRoots }: ApiContext,
): void {
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/records',
        summary: 'store clinical records: a JSON record, an array, or a FHIR R4 DiagnosticReport or Bundle',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        description:
          'Body: a RecordInput, an array of up to 1000, or a FHIR R4 DiagnosticReport or Bundle of them (validated by the handler, which tells the three apart by `resourceType`).',
        responses: {
          201: { description: 'stored', content: { 'application/json': { schema: Stored } } },
        },
      },
      409,
    ),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new BadRequestError('the body is not JSON');
      }
      const { records, source } = parseBody(body);
      const ids = await ingestRecords(db, releases, records, source);
      return c.json({ stored: ids.length, ids }, 201);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/records/import',
        summary:
          'import the reports (and with `ecgs`, the 100 Hz ECGs as cases) of a PTB-XL-layout folder on the server',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        request: {
          body: {
            content: {
              'application/json': {
                schema: z.object({
                  dir: z.string().min(1).max(4096).openapi({
                    description: "a folder under the cloud's import roots (relative: to the first root)",
                  }),
                  limit: z.number().int().positive().optional(),
                  ecgs: z.boolean().default(false).openapi({
                    description:
                      'also encode the records as cases of the pseudo-device dataset-<folder name>',
                  }),
                  release: z
                    .string()
                    .regex(/^[A-Za-z0-9._-]{1,64}$/)
                    .optional()
                    .openapi({ description: 'release encoding the ECGs; default the newest live one' }),
                }),
              },
            },
          },
        },
        responses: {
          200: {
            description: 'imported',
            content: {
              'application/json': {
                schema: z.object({
                  stored: z.number(),
                  ecgs: z
                    .object({
                      deviceId: z.string(),
                      release: z.string(),
                      stored: z.number(),
                      skipped: z.number(),
                    })
                    .optional(),
                }),
              },
            },
          },
        },
      },
      404,
      409,
    ),
    async (c) => {
      const { limit, ecgs, release } = c.req.valid('json');
      const dir = await resolveImportPath(importRoots ?? [], c.req.valid('json').dir);
      const stored = await importPtbxlRecords(db, releases, dir, limit !== undefined ? { limit } : {});
      if (!ecgs) return c.json({ stored }, 200);
      const imported = await importPtbxlEcgs(db, releases, dir, {
        ...(limit !== undefined ? { limit } : {}),
        ...(release !== undefined ? { release } : {}),
      });
      // Searchable as soon as the answer is back.
      await ecgIndex?.follow();
      return c.json({ stored, ecgs: imported }, 200);
    },
  );
}
