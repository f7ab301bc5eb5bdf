import { ONNX_FILES } from '@heartline/trainer';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.js';
import { registerReleaseDir } from '../../releases/register-release-dir.js';
import { releaseDetails } from '../../releases/release-details.js';
import { resolveImportPath } from '../../security/import-roots.js';
import { listReleases } from '../../storage/releases.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';
import { requireViewerOrDevice } from '../viewer-or-device.js';

const Id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
/** One release of `GET /releases`. */
export const Release = z
  .object({ id: z.string(), ecgDim: z.number(), sharedDim: z.number(), live: z.boolean() })
  .openapi('Release');
export type Release = z.infer<typeof Release>;
/** One channel's current manifest. */
export const ChannelState = z
  .object({ channel: z.string(), release: z.string(), manifest: z.unknown() })
  .openapi('ChannelState');
export type ChannelState = z.infer<typeof ChannelState>;
/** One class's ROC curve: false- and true-positive rates at each threshold, and its area. */
export const RocCurve = z
  .object({ fpr: z.array(z.number()), tpr: z.array(z.number()), auroc: z.number().nullable() })
  .openapi('RocCurve');
export type RocCurve = z.infer<typeof RocCurve>;
/** An evaluation figure; null where it is undefined (NaN in the report). */
const Figure = z.number().nullable();
/** Recall at 1, 5 and 10. */
export const Recall = z.looseObject({ r1: Figure, r5: Figure, r10: Figure }).openapi('Recall');
export type Recall = z.infer<typeof Recall>;
/** The evaluation report (metrics.json's `validation`): the figures the dashboard shows, and more. */
export const EvaluationMetrics = z
  .looseObject({
    zeroShot: z
      .looseObject({
        macroAuroc: Figure,
        macroF1: Figure,
        perClass: z.record(z.string(), z.looseObject({ auroc: Figure, f1: Figure })).optional(),
      })
      .optional(),
    linearProbe: z.looseObject({ p1: Figure, p10: Figure, p100: Figure }).nullable().optional(),
    retrieval: z.looseObject({ reportToEcg: Recall, ecgToReport: Recall }).nullable().optional(),
    rocCurves: z.record(z.string(), RocCurve).optional(),
  })
  .openapi('EvaluationMetrics', {
    description: 'the evaluation report (zeroShot, linearProbe, retrieval, missingLeads…) with rocCurves',
  });
export type EvaluationMetrics = z.infer<typeof EvaluationMetrics>;
/** One record of a release's training log (training-log.jsonl): mean losses of an epoch. */
export const TrainingLogRecord = z
  .looseObject({
    epoch: z.number().optional(),
    step: z.number().optional(),
    train: z.record(z.string(), z.number()).optional(),
    validation: z.record(z.string(), z.number()).optional(),
  })
  .openapi('TrainingLogRecord');
export type TrainingLogRecord = z.infer<typeof TrainingLogRecord>;
const HeldOutFigures = z.object({ zeroShotAuroc: Figure, reportToEcgR10: Figure });
/** An align release's held-out evaluation beside its parent's, on the same pairs (what the rollout gate compares). */
export const AlignComparison = z
  .object({
    parent: z.string(),
    heldOut: z.number().nullable().openapi({ description: 'held-out pairs both were scored on' }),
    release: HeldOutFigures,
    parentFigures: HeldOutFigures,
  })
  .openapi('AlignComparison');
export type AlignComparison = z.infer<typeof AlignComparison>;
/** `GET /releases/{id}`: a release with its manifest facts and evaluation. */
export const ReleaseDetails = Release.extend({
  created: z.string().nullable(),
  mode: z.string().nullable(),
  preset: z.string().nullable(),
  data: z.unknown(),
  metrics: EvaluationMetrics.nullable(),
  rocCurves: z
    .record(z.string(), RocCurve)
    .openapi({ description: 'per zero-shot class; {} for older releases' }),
  trainingLog: z.array(TrainingLogRecord),
  parentComparison: AlignComparison.nullable().openapi({
    description: 'align releases: held-out figures of the release and its parent; null for other releases',
  }),
}).openapi('ReleaseDetails');
export type ReleaseDetails = z.infer<typeof ReleaseDetails>;
/** One thing that happened on a channel. */
export const ChannelEvent = z
  .object({
    time: z.string().openapi({ description: 'ISO time' }),
    action: z.string().openapi({
      description: '`rollout`, `rollback` (by an operator) or `auto-rollback` (by the release guard)',
    }),
    release: z.string().openapi({ description: 'the release published (rollout) or left (rollbacks)' }),
    reason: z.string(),
    devices: z.array(z.string()).openapi({
      description:
        "the devices counted as an automatic rollback's evidence, sorted; empty for operator events",
    }),
  })
  .openapi('ChannelEvent');
export type ChannelEvent = z.infer<typeof ChannelEvent>;
/** `GET /releases`. */
export const ReleaseList = z.object({ releases: z.array(Release), channels: z.array(ChannelState) });
export type ReleaseList = z.infer<typeof ReleaseList>;
/** `GET /channels/{channel}/events`, oldest first. */
export const ChannelEventList = z.object({ events: z.array(ChannelEvent) });
export type ChannelEventList = z.infer<typeof ChannelEventList>;
const DOWNLOADABLE = new Set(Object.values(ONNX_FILES).map((f) => f.onnx));

/** Release registry (viewer reads, operator writes), rollout and rollback (operator), device downloads. */
export function releaseRoutes(
  api: OpenAPIHono<ApiEnv>,
  { db, releases, rollout, signingKey, importRoots, authenticateDevice }: ApiContext,
): void {
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/releases',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: {
          description: 'releases and channels',
          content: { 'application/json': { schema: ReleaseList } },
        },
      },
    }),
    async (c) => {
      const rows = (await listReleases(db)).map(({ id, ecgDim, sharedDim, live }) => ({
        id,
        ecgDim,
        sharedDim,
        live,
      }));
      return c.json({ releases: rows, channels: await rollout.channels() }, 200);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/releases/{id}',
        summary: 'one release: manifest facts, evaluation report, ROC curves and training log',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: z.object({ id: Id }) },
        responses: {
          200: {
            description: 'release details',
            content: { 'application/json': { schema: ReleaseDetails } },
          },
        },
      },
      404,
    ),
    async (c) => {
      const id = c.req.valid('param').id;
      const row = (await listReleases(db)).find((r) => r.id === id);
      if (!row) throw new NotFoundError('release', id);
      const read = async (name: string) => {
        const bytes = await releases.files.read(row, name);
        return bytes && Buffer.from(bytes).toString('utf8');
      };
      return c.json(await releaseDetails(row, read), 200);
    },
  );
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/channels/{channel}/events',
      summary: 'rollouts, rollbacks and automatic rollbacks of a channel with their reasons, oldest first',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      request: { params: z.object({ channel: Id }) },
      responses: {
        200: {
          description: 'channel events',
          content: { 'application/json': { schema: ChannelEventList } },
        },
      },
    }),
    async (c) => c.json({ events: await rollout.events(c.req.valid('param').channel) }, 200),
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/releases',
        summary: 'verify and register a release directory on the server',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        request: {
          body: {
            content: {
              'application/json': {
                schema: z.object({
                  dir: z.string().min(1).max(4096).openapi({
                    description: "a release folder under the cloud's import roots",
                  }),
                }),
              },
            },
          },
        },
        responses: {
          201: { description: 'registered', content: { 'application/json': { schema: Release } } },
        },
      },
      409,
      422,
    ),
    async (c) => {
      const dir = await resolveImportPath(importRoots ?? [], c.req.valid('json').dir);
      const row = await registerReleaseDir(db, dir);
      await releases.refresh();
      return c.json({ id: row.id, ecgDim: row.ecgDim, sharedDim: row.sharedDim, live: row.live }, 201);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/releases/{id}/rollout',
        summary:
          'export, sign and publish a release on a channel (retained on hl/v1/rel/{channel}); an align release needs its held-out evaluation beside its parent (409 without) and must not be worse than its parent unless force',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        request: {
          params: z.object({ id: Id }),
          body: {
            content: {
              'application/json': {
                schema: z.object({
                  channel: Id,
                  force: z.boolean().optional().openapi({
                    description:
                      'publish an align release even when it is worse than its parent on the held-out pairs (an align release without that evaluation is refused regardless)',
                  }),
                }),
              },
            },
          },
        },
        responses: {
          200: { description: 'published', content: { 'application/json': { schema: ChannelState } } },
        },
      },
      404,
      409,
      422,
    ),
    async (c) => {
      const { channel, force } = c.req.valid('json');
      return c.json(await rollout.rollOut(c.req.valid('param').id, channel, { force: force === true }), 200);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/channels/{channel}/rollback',
        summary: "re-publish the channel's previous release",
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        request: { params: z.object({ channel: Id }) },
        responses: {
          200: { description: 'rolled back', content: { 'application/json': { schema: ChannelState } } },
        },
      },
      409,
    ),
    async (c) => c.json(await rollout.rollback(c.req.valid('param').channel), 200),
  );
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/signing-key',
      summary: "the cloud's Ed25519 public key (PEM) devices verify manifests with",
      responses: {
        200: {
          description: 'public key',
          content: {
            'application/json': { schema: z.object({ keyId: z.string(), publicKeyPem: z.string() }) },
          },
        },
      },
    }),
    (c) => c.json({ keyId: signingKey.keyId, publicKeyPem: signingKey.publicKeyPem }, 200),
  );
  // Devices download without a bearer token: the signed manifest's sha256 is what they trust.
  // Model files: for the fleet's devices (HTTP Basic id:secret) and dashboard users (bearer), no one else.
  // Any instance serves any release's files: from the database (sha256 checked), else the release's folder.
  api.get('/releases/:id/files/:file', requireViewerOrDevice(db, authenticateDevice), async (c) => {
    const id = c.req.param('id');
    const file = c.req.param('file');
    const release = (await listReleases(db)).find((r) => r.id === id);
    if (!release || !DOWNLOADABLE.has(file)) throw new NotFoundError('release file', `${id}/${file}`);
    const bytes = await releases.files.read(release, file);
    if (!bytes) throw new NotFoundError('release file', `${id}/${file}`);
    return c.body(new Uint8Array(bytes), 200, { 'content-type': 'application/octet-stream' });
  });
}
