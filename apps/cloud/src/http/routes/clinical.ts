import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.js';
import { caseDraft } from '../../queries/case-draft.js';
import { worklist } from '../../queries/worklist.js';
import { signedReportToFhir } from '../../records/fhir-export-report.js';
import { signOffCase } from '../../records/sign-off.js';
import { safeString } from '../../security/safe-text.js';
import { signOffOfCase, signOffOfRecord } from '../../storage/sign-offs.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';
import { CaseParams, CaseSummary, Id } from './queries.js';

// As in queries.ts: a path parameter is a required string of digits, then a number.
const Language = z.enum(['de', 'en']).openapi({ description: "the clinician's language" });
/** An SCP-ECG statement code or PTB-XL superclass (`NORM`, `LAO/LAE`, `STD_`, `1AVB`). */
const ScpCode = z.string().regex(/^[A-Za-z0-9_/]{1,32}$/);

/** Where a draft statement came from: a stored report (with the case it belongs to) or a class prompt. */
export const DraftSource = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('report'),
      recordId: z.string(),
      caseRef: z
        .string()
        .optional()
        .openapi({ description: '`deviceId/seq` of the case the report belongs to' }),
      score: z.number().openapi({ description: 'cosine of the report to the case' }),
    }),
    z.object({ kind: z.literal('prompt'), code: z.string() }),
  ])
  .openapi('DraftSource');
/** `GET /cases/{deviceId}/{seq}/draft`. */
export const DraftReport = z
  .object({
    deviceId: z.string(),
    seq: z.number(),
    language: Language,
    releaseId: z.string().openapi({ description: 'the release that drafted it (send it back on sign-off)' }),
    classSet: z.string(),
    thresholdSource: z.enum(['calibration', 'evaluation-set', 'none']).openapi({
      description:
        "where the release's per-class thresholds were chosen; none: the release stored none, so no zero-shot codes",
    }),
    statements: z.array(
      z.object({
        text: z.string(),
        support: z.number().openapi({ description: "share of the neighbours' similarity weight behind it" }),
        sources: z.array(DraftSource).min(1),
      }),
    ),
    codes: z.array(
      z.object({
        scp: z.string(),
        snomed: z.string().nullable(),
        display: z.string(),
        score: z.number(),
        threshold: z.number(),
        source: z.enum(['zero-shot', 'retrieval']),
      }),
    ),
  })
  .openapi('DraftReport');
export type DraftReport = z.infer<typeof DraftReport>;
/** `POST /cases/{deviceId}/{seq}/sign-off` body. */
export const SignOffRequest = z
  .strictObject({
    decision: z.enum(['accept', 'edit', 'reject']),
    statements: z
      .array(safeString().min(1).max(500))
      .max(50)
      .openapi({ description: "the signed report's statements (none for reject)" }),
    codes: z.array(ScpCode).max(50).openapi({ description: 'ticked SCP-ECG codes (none for reject)' }),
    language: Language,
    draftReleaseId: Id,
  })
  .openapi('SignOffRequest');
export type SignOffRequest = z.infer<typeof SignOffRequest>;
/** A stored sign-off. */
export const SignOff = z
  .object({
    id: z.number().int(),
    deviceId: z.string(),
    seq: z.number(),
    decision: z.enum(['accept', 'edit', 'reject']),
    recordId: z
      .string()
      .nullable()
      .openapi({ description: 'the signed clinical record; null for a rejected draft' }),
    tokenId: z.string(),
    role: z.string(),
    signedBy: z.string().openapi({ description: "the signing token's label, else its id" }),
    draftReleaseId: z.string(),
    language: Language,
    statements: z.array(z.string()),
    codes: z.array(z.string()),
    editDistance: z
      .number()
      .int()
      .openapi({ description: 'statements removed + added + codes unticked + ticked' }),
    signedAt: z.string(),
  })
  .openapi('SignOff');
export type SignOff = z.infer<typeof SignOff>;
/** One entry of `GET /worklist`. */
export const WorklistItem = CaseSummary.extend({
  topClass: z.string().nullable(),
  margin: z.number().openapi({ description: 'top minus second zero-shot class probability; small: unsure' }),
  oodDistance: z
    .number()
    .nullable()
    .openapi({ description: '1 − cosine to the nearest stored report; null: the release has none' }),
  uncertainty: z.number().openapi({ description: 'mean of 1 − margin and the distance capped at 1' }),
}).openapi('WorklistItem');
export type WorklistItem = z.infer<typeof WorklistItem>;
const Coding = z.object({ system: z.string(), code: z.string(), display: z.string().optional() });
/** The FHIR R4 DiagnosticReport of a signed record (the fields heartline writes). */
export const FhirDiagnosticReport = z
  .object({
    resourceType: z.literal('DiagnosticReport'),
    id: z.string(),
    identifier: z.array(z.object({ system: z.string(), value: z.string() })).optional(),
    status: z.literal('final'),
    category: z.array(z.object({ coding: z.array(Coding) })),
    code: z.object({ coding: z.array(Coding), text: z.string() }),
    subject: z.object({ reference: z.string() }).optional(),
    effectiveDateTime: z.string().optional(),
    issued: z.string(),
    performer: z.array(z.object({ display: z.string() })),
    result: z.array(
      z.object({
        reference: z.string(),
        identifier: z.object({ system: z.string(), value: z.string() }),
        display: z.string(),
      }),
    ),
    conclusion: z.string(),
    conclusionCode: z.array(z.object({ coding: z.array(Coding), text: z.string() })),
  })
  .openapi('FhirDiagnosticReport');
export type FhirDiagnosticReport = z.infer<typeof FhirDiagnosticReport>;

const json = <T extends z.ZodType>(status: 200 | 201, schema: T, description: string) => ({
  [status]: { description, content: { 'application/json': { schema } } },
});

/**
 * The clinician's loop: a case's draft report and the worklist (viewer), signing a draft off
 * (clinician), a signed report's sign-off and its FHIR R4 DiagnosticReport (viewer).
 */
export function clinicalRoutes(api: OpenAPIHono<ApiEnv>, { db, releases }: ApiContext): void {
  const security = [{ bearer: [] }];
  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/cases/{deviceId}/{seq}/draft',
        summary:
          "a draft report from the case's nearest stored reports and its zero-shot classes above the release's thresholds",
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: {
          params: CaseParams,
          query: z.object({
            language: Language.default('en'),
            k: z.coerce.number().int().min(1).max(50).default(10),
          }),
        },
        responses: {
          200: { description: 'the draft', content: { 'application/json': { schema: DraftReport } } },
        },
      },
      404,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      const { language, k } = c.req.valid('query');
      return c.json(await caseDraft(db, releases, deviceId, seq, language, k), 200);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/cases/{deviceId}/{seq}/sign-off',
        summary:
          "sign a case's draft off: accept, edit or reject; an accepted or edited report becomes its record",
        security,
        middleware: [requireRole(db, 'clinician')] as const,
        request: {
          params: CaseParams,
          body: { content: { 'application/json': { schema: SignOffRequest } }, required: true },
        },
        responses: json(201, SignOff, 'signed'),
      },
      404,
      409,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      const signer = { tokenId: c.get('tokenId'), role: c.get('role') };
      return c.json(await signOffCase(db, releases, deviceId, seq, c.req.valid('json'), signer), 201);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/cases/{deviceId}/{seq}/sign-off',
        summary: "the case's sign-off",
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: CaseParams },
        responses: json(200, SignOff, 'the sign-off'),
      },
      404,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      const signOff = await signOffOfCase(db, deviceId, seq);
      if (!signOff) throw new NotFoundError('sign-off of case', `${deviceId}/${seq}`);
      return c.json(signOff, 200);
    },
  );
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/worklist',
      summary: 'unsigned device cases, the ones the model is least sure of first',
      security,
      middleware: [requireRole(db, 'viewer')] as const,
      request: {
        query: z.object({ k: z.coerce.number().int().min(1).max(500).default(50), deviceId: Id.optional() }),
      },
      responses: json(200, z.object({ cases: z.array(WorklistItem) }), 'most unsure first'),
    }),
    async (c) => {
      const { k, deviceId } = c.req.valid('query');
      return c.json({ cases: await worklist(db, releases, { k, deviceId }) }, 200);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/records/{id}/fhir',
        summary: 'a signed report as a FHIR R4 DiagnosticReport (SNOMED CT and SCP-ECG conclusion codes)',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: z.object({ id: Id }) },
        responses: {
          200: {
            description: 'the DiagnosticReport',
            content: { 'application/json': { schema: FhirDiagnosticReport } },
          },
        },
      },
      404,
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const signOff = await signOffOfRecord(db, id);
      const { rows } = await db.query<{
        id: string;
        patientId: string | null;
        studyId: string | null;
        effective: string | null;
        text: string;
        codes: string[];
      }>(
        `SELECT id, patient_id AS "patientId", study_id AS "studyId",
                to_char(effective AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS effective, text, codes
         FROM clinical_records WHERE id = $1`,
        [id],
      );
      if (!signOff || !rows[0]) throw new NotFoundError('signed record', id);
      return c.json(signedReportToFhir(rows[0], signOff), 200);
    },
  );
}
