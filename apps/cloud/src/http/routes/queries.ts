import { CLASS_SETS, type ClassSetName } from '@heartline/model/text';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.js';
import { recentCases } from '../../queries/recent-cases.js';
import { ecgsForRecord, ecgsForText, reportsForEcg, similarCases, storedCase } from '../../queries/search.js';
import { zeroShot } from '../../queries/zero-shot.js';
import { readWaveform } from '../../records/read-waveform.js';
import { findDatasetEcg } from '../../storage/dataset-ecgs.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

/** An identifier in a path or query: a device, patient, release or record id. */
export const Id = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/);
const K = z.coerce.number().int().min(1).max(100).default(10);
const Filters = {
  patientId: Id.optional(),
  deviceId: Id.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  release: Id.optional(),
};
/** The path parameters naming one stored case. */
export const CaseParams = z.object({
  deviceId: Id,
  // A path parameter is a required string: digits, then a number (a coerced number alone would be
  // documented as optional and nullable, which no path parameter may be).
  seq: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/)
    .pipe(z.coerce.number<string>().int().max(Number.MAX_SAFE_INTEGER)),
});

/** A stored case as listed. */
export const CaseSummary = z
  .object({
    deviceId: z.string(),
    seq: z.number(),
    t0: z.string(),
    release: z.string(),
    patientId: z.string().nullable(),
    studyId: z.string().nullable(),
  })
  .openapi('CaseSummary');
export type CaseSummary = z.infer<typeof CaseSummary>;
/** A stored case with its cosine similarity to the query. */
export const EcgHit = CaseSummary.extend({ score: z.number() }).openapi('EcgHit');
export type EcgHit = z.infer<typeof EcgHit>;
/** A clinical record linked to a case by study, or by patient within a day of the recording. */
export const LinkedRecord = z
  .object({ id: z.string(), text: z.string(), codes: z.array(z.string()), effective: z.string().nullable() })
  .openapi('LinkedRecord');
export type LinkedRecord = z.infer<typeof LinkedRecord>;
/** `GET /cases/{deviceId}/{seq}`. */
export const CaseDetail = CaseSummary.extend({
  leadMask: z.number().int().nullable().openapi({ description: 'bit i set: lead i was in use' }),
  quality: z.number().nullable(),
  records: z.array(LinkedRecord),
  signedOff: z.boolean().openapi({
    description: 'a clinician signed the case off (GET /cases/{deviceId}/{seq}/sign-off has it)',
  }),
}).openapi('CaseDetail');
export type CaseDetail = z.infer<typeof CaseDetail>;
/** `GET /cases/{deviceId}/{seq}/waveform`: the raw ECG of an imported case. */
export const Waveform = z
  .object({
    fs: z.number().openapi({ description: 'samples per second' }),
    leads: z.array(z.string()).length(12).openapi({ description: 'the 12 canonical lead names' }),
    units: z.enum(['mV', 'NU']).openapi({
      description:
        'mV, or NU: normalised units (the record was z-scored per lead by its source), not millivolts',
    }),
    signals: z
      .array(z.array(z.number().nullable()))
      .openapi({ description: 'one array per lead in `leads` order; null marks an invalid sample' }),
  })
  .openapi('Waveform');
export type Waveform = z.infer<typeof Waveform>;
export const RecordHit = z
  .object({
    id: z.string(),
    patientId: z.string().nullable(),
    studyId: z.string().nullable(),
    effective: z.string().nullable(),
    text: z.string(),
    codes: z.array(z.string()),
    release: z.string(),
    score: z.number(),
  })
  .openapi('RecordHit');
export type RecordHit = z.infer<typeof RecordHit>;
export const ClassScore = z
  .object({ code: z.string(), similarity: z.number(), probability: z.number() })
  .openapi('ClassScore');
export type ClassScore = z.infer<typeof ClassScore>;
/** `GET /cases/{deviceId}/{seq}/diagnosis`. */
export const Diagnosis = z
  .object({ release: z.string(), set: z.string(), classes: z.array(ClassScore) })
  .openapi('Diagnosis');
export type Diagnosis = z.infer<typeof Diagnosis>;
/** Answers listing hits or cases. */
export const EcgHits = z.object({ hits: z.array(EcgHit) });
export type EcgHits = z.infer<typeof EcgHits>;
export const RecordHits = z.object({ hits: z.array(RecordHit) });
export type RecordHits = z.infer<typeof RecordHits>;
export const CaseList = z.object({ cases: z.array(CaseSummary) });
export type CaseList = z.infer<typeof CaseList>;
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
});

function filterOf(q: {
  patientId?: string | undefined;
  deviceId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  release?: string | undefined;
}) {
  return { patientId: q.patientId, deviceId: q.deviceId, from: q.from, to: q.to, release: q.release };
}

/** Retrieval, zero-shot diagnosis and case details: viewer. */
export function queryRoutes(api: OpenAPIHono<ApiEnv>, { db, releases, ecgIndex }: ApiContext): void {
  const store = { db, ecgIndex };
  const security = [{ bearer: [] }];

  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/search/ecgs',
        summary: 'ECGs matching free text, searched in every live release and merged by score',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { query: z.object({ text: z.string().min(1).max(2000), k: K, ...Filters }) },
        responses: json(EcgHits, 'ECG hits, best first'),
      },
      404,
    ),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ hits: await ecgsForText(store, releases, q.text, q.k, filterOf(q)) }, 200);
    },
  );

  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/records/{id}/ecgs',
        summary: 'ECGs matching a stored report',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: z.object({ id: Id }), query: z.object({ k: K, ...Filters }) },
        responses: json(EcgHits, 'ECG hits, best first'),
      },
      404,
    ),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(
        { hits: await ecgsForRecord(store, releases, c.req.valid('param').id, q.k, filterOf(q)) },
        200,
      );
    },
  );

  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/cases',
      summary: 'the newest stored cases (optionally of one device), newest first',
      security,
      middleware: [requireRole(db, 'viewer')] as const,
      request: { query: z.object({ deviceId: Id.optional(), k: K }) },
      responses: json(CaseList, 'cases, newest first'),
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json({ cases: await recentCases(db, q.k, q.deviceId) }, 200);
    },
  );

  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/cases/{deviceId}/{seq}/waveform',
        summary:
          'the raw 12-lead ECG (100 Hz, mV) of a case the cloud holds (imported datasets); 404 for device cases',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: CaseParams },
        responses: json(Waveform, 'the waveform'),
      },
      404,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      const ecg = await findDatasetEcg(db, deviceId, seq);
      // A device's raw ECG never leaves the device: only its embedding is here.
      if (!ecg) throw new NotFoundError('raw ECG of case', `${deviceId}/${seq}`);
      return c.json(await readWaveform(ecg), 200);
    },
  );

  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/cases/{deviceId}/{seq}',
        summary: 'one stored ECG embedding with the records linked to it by study or by patient and time',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: CaseParams },
        responses: json(CaseDetail, 'case details'),
      },
      404,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      const { rows } = await db.query<Omit<CaseDetail, 'records'>>(
        `SELECT device_id AS "deviceId", seq::float8 AS seq, to_char(t0 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t0,
                release, lead_mask AS "leadMask", quality, patient_id AS "patientId", study_id AS "studyId",
                EXISTS (SELECT 1 FROM sign_offs s WHERE s.device_id = e.device_id AND s.seq = e.seq) AS "signedOff"
         FROM embeddings e WHERE device_id = $1 AND seq = $2`,
        [deviceId, seq],
      );
      const row = rows[0];
      if (!row) throw new NotFoundError('case', `${deviceId}/${seq}`);
      // Linked: the same study, or the same patient within a day of the recording.
      const linked = await db.query<LinkedRecord>(
        `SELECT r.id, r.text, r.codes, to_char(r.effective AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS effective
         FROM clinical_records r, embeddings e
         WHERE e.device_id = $1 AND e.seq = $2
           AND ((e.study_id IS NOT NULL AND r.study_id = e.study_id)
             OR (e.patient_id IS NOT NULL AND r.patient_id = e.patient_id
                 AND r.effective BETWEEN e.t0 - interval '1 day' AND e.t0 + interval '1 day'))
         ORDER BY r.effective NULLS LAST LIMIT 50`,
        [deviceId, seq],
      );
      return c.json({ ...row, deviceId, records: linked.rows }, 200);
    },
  );

  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/cases/{deviceId}/{seq}/similar',
        summary: 'stored ECGs most like this one, in its release space',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: CaseParams, query: z.object({ k: K, ...Filters }) },
        responses: json(EcgHits, 'ECG hits, best first'),
      },
      404,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      const q = c.req.valid('query');
      return c.json({ hits: await similarCases(store, releases, deviceId, seq, q.k, filterOf(q)) }, 200);
    },
  );

  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/cases/{deviceId}/{seq}/reports',
        summary: 'reports most like this ECG',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: CaseParams, query: z.object({ k: K }) },
        responses: json(RecordHits, 'report hits, best first'),
      },
      404,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      return c.json(
        { hits: await reportsForEcg(store, releases, deviceId, seq, c.req.valid('query').k) },
        200,
      );
    },
  );

  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/cases/{deviceId}/{seq}/diagnosis',
        summary: 'zero-shot class probabilities from averaged prompt embeddings',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: {
          params: CaseParams,
          query: z.object({
            set: z.enum(Object.keys(CLASS_SETS) as [ClassSetName, ...ClassSetName[]]).default('superclass'),
          }),
        },
        responses: json(Diagnosis, 'class scores, most likely first'),
      },
      404,
    ),
    async (c) => {
      const { deviceId, seq } = c.req.valid('param');
      const { set } = c.req.valid('query');
      const stored = await storedCase(db, deviceId, seq);
      const model = await releases.model(stored.release);
      return c.json({ release: stored.release, set, classes: zeroShot(model, stored.z, set) }, 200);
    },
  );
}
