import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BadRequestError, UnauthenticatedError } from '../../errors.js';
import { DEFAULT_ALIGN_PROPOSAL_SIGN_OFFS, readAlignProposal } from '../../jobs/align-proposal.js';
import type { JobEvent } from '../../jobs/job-types.js';
import { resolveImportPath } from '../../security/import-roots.js';
import type { SqlDriver } from '../../storage/driver.js';
import type { Role } from '../../storage/tokens.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { type AuthVariables, authenticate, requireRole, TOKEN_FORM } from '../auth.js';
import { createApiRoute, withErrors } from '../error-schema.js';

const JOB_ID = /^[A-Za-z0-9._-]{1,64}$/;
const Id = z.string().regex(JOB_ID);
/** The last progress report of a running job. */
export const JobProgress = z
  .object({ stage: z.string(), done: z.number(), total: z.number(), detail: z.string().optional() })
  .openapi('JobProgress');
export type JobProgress = z.infer<typeof JobProgress>;
const JobKind = z.enum(['pretrain', 'align']);
/** One job as `GET /jobs` lists it. */
export const Job = z
  .object({
    id: z.string(),
    kind: JobKind,
    status: z
      .enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
      .openapi({ description: 'the last three are final' }),
    created: z.string().openapi({ description: 'ISO time the job was submitted' }),
    progress: JobProgress.nullable(),
    release: z.string().nullable().openapi({ description: 'the release a succeeded job produced' }),
    error: z.string().nullable(),
  })
  .openapi('Job');
export type Job = z.infer<typeof Job>;
/** `GET /jobs`, newest first. */
export const JobList = z.object({ jobs: z.array(Job) });
export type JobList = z.infer<typeof JobList>;
/** `GET /jobs/align-proposal`: whether enough reports were signed since the last align job to propose another. */
export const AlignProposal = z
  .object({
    proposed: z.boolean(),
    signOffs: z
      .number()
      .int()
      .openapi({ description: 'sign-offs that made a clinical record since `since`' }),
    threshold: z.number().int().openapi({ description: 'sign-offs that make a proposal (cloud option)' }),
    parent: z.string().nullable().openapi({
      description: 'the release an align job would start from (the stable channel’s, else the newest live)',
    }),
    since: z
      .object({ id: z.string(), status: z.string(), created: z.string() })
      .nullable()
      .openapi({ description: 'the last align job of the parent’s lineage; null: none yet' }),
    message: z.string(),
  })
  .openapi('AlignProposal');
export type AlignProposal = z.infer<typeof AlignProposal>;
/** `POST /jobs`: the queued job's id. */
export const JobCreated = z.object({ id: z.string() });
export type JobCreated = z.infer<typeof JobCreated>;
const JobRequest = z
  .strictObject({
    kind: JobKind,
    preset: z.enum(['tiny', 'demo', 'real']).optional(),
    steps: z.number().int().min(1).max(1_000_000).optional(),
    /** pretrain: a PTB-XL-layout folder on the server, under the cloud's import roots. */
    dataDir: z.string().min(1).max(4096).optional(),
    /** align: the release whose ECG encoder is frozen (default: the newest live release). */
    parent: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
  })
  .openapi('JobRequest');
/**
 * `Idempotency-Key` of `POST /jobs`: a retried request with the same key and body gets the job the
 * first one made, whichever instance answers. Visible ASCII; the quotes of the structured-field form
 * (`"…"`) are allowed and dropped.
 */
const IdempotencyKey = z
  .string()
  .regex(/^"?[\x21\x23-\x7e]{1,255}"?$/)
  .openapi({
    description:
      'a key (e.g. a UUID) that makes retries of this request return the same job instead of starting another; the key with a different body is refused (409)',
  });
/** Seconds between SSE comments that keep idle connections (and proxies) open. */
const KEEPALIVE_MS = 15_000;

/**
 * Like `requireRole`, but also accepts the token as `?token=`: EventSource cannot set headers. Only the
 * events route uses it, so tokens do not end up in the URLs (and logs) of every call.
 */
function requireRoleOrQueryToken(
  db: SqlDriver,
  needed: Role,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  const byHeader = requireRole(db, needed);
  return async (c, next) => {
    const token = c.req.query('token');
    if (c.req.header('authorization') !== undefined || token === undefined) return byHeader(c, next);
    if (!TOKEN_FORM.test(token)) throw new UnauthenticatedError('malformed token parameter');
    await authenticate(c, db, token, needed);
    await next();
  };
}

const isFinalEvent = (e: JobEvent) => e.event === 'done' || e.event === 'failed' || e.event === 'cancelled';

/** Training jobs: start and cancel (operator), list and follow (viewer). */
export function jobRoutes(
  api: OpenAPIHono<ApiEnv>,
  { db, jobs, importRoots, alignProposalSignOffs }: ApiContext,
): void {
  const security = [{ bearer: [] }];
  // Before `/jobs/{id}`, which would take `align-proposal` for a job id.
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/jobs/align-proposal',
      summary:
        'whether an align job is proposed: sign-offs since the last align job of the stable release’s lineage',
      security,
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: { description: 'the proposal', content: { 'application/json': { schema: AlignProposal } } },
      },
    }),
    async (c) =>
      c.json(await readAlignProposal(db, alignProposalSignOffs ?? DEFAULT_ALIGN_PROPOSAL_SIGN_OFFS), 200),
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/jobs',
        summary: 'start a pretrain job (dataDir or synthetic preset) or an align job (stored embeddings)',
        security,
        middleware: [requireRole(db, 'operator')] as const,
        request: {
          headers: z.object({ 'idempotency-key': IdempotencyKey.optional() }),
          body: { content: { 'application/json': { schema: JobRequest } }, required: true },
        },
        responses: {
          202: {
            description:
              'queued (or, for a retry with the same Idempotency-Key, the job the first request made)',
            content: { 'application/json': { schema: JobCreated } },
          },
        },
      },
      404,
      409,
    ),
    async (c) => {
      const spec = c.req.valid('json');
      // A pretrain job reads its folder on the server: only under the import roots (align jobs refuse
      // a dataDir on their own).
      const dataDir =
        spec.kind === 'pretrain' && spec.dataDir !== undefined
          ? await resolveImportPath(importRoots ?? [], spec.dataDir)
          : spec.dataDir;
      const idempotencyKey = c.req.valid('header')['idempotency-key']?.replace(/^"(.*)"$/, '$1');
      const job = await jobs.submit({ ...spec, dataDir }, { idempotencyKey });
      return c.json({ id: job.id }, 202);
    },
  );
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/jobs',
      summary: 'every job, newest first',
      security,
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: {
          description: 'jobs',
          content: { 'application/json': { schema: JobList } },
        },
      },
    }),
    async (c) => c.json({ jobs: await jobs.list() }, 200),
  );
  api.openapi(
    createApiRoute(
      {
        method: 'get',
        path: '/jobs/{id}',
        security,
        middleware: [requireRole(db, 'viewer')] as const,
        request: { params: z.object({ id: Id }) },
        responses: { 200: { description: 'one job', content: { 'application/json': { schema: Job } } } },
      },
      404,
    ),
    async (c) => c.json(await jobs.get(c.req.valid('param').id), 200),
  );
  api.openapi(
    createApiRoute(
      {
        method: 'delete',
        path: '/jobs/{id}',
        summary: 'cancel a queued or running job (resolves once it has stopped)',
        security,
        middleware: [requireRole(db, 'operator')] as const,
        request: { params: z.object({ id: Id }) },
        responses: {
          200: {
            description: 'the job after cancelling',
            content: {
              'application/json': { schema: z.object({ id: z.string(), status: Job.shape.status }) },
            },
          },
        },
      },
      404,
      409,
    ),
    async (c) => {
      const job = await jobs.cancel(c.req.valid('param').id);
      return c.json({ id: job.id, status: job.status }, 200);
    },
  );
  // Server-Sent Events: the job's history first, then live events until its final one. A plain route
  // (the stream is no JSON body), described in the OpenAPI document by hand.
  api.openAPIRegistry.registerPath(
    withErrors(
      {
        method: 'get',
        path: '/jobs/{id}/events',
        summary:
          "a job's events as Server-Sent Events (progress, epoch, log, then done | failed | cancelled); history first",
        security,
        request: { params: z.object({ id: Id }), query: z.object({ token: z.string().optional() }) },
        responses: {
          200: { description: 'event stream', content: { 'text/event-stream': { schema: z.string() } } },
        },
      },
      404,
    ),
  );
  // Whichever instance answers: the one running the job tells every event, the others what the jobs
  // table shows (progress, then the final event).
  api.get('/jobs/:id/events', requireRoleOrQueryToken(db, 'viewer'), async (c) => {
    const id = c.req.param('id');
    if (!JOB_ID.test(id)) throw new BadRequestError(`job id '${id}' is malformed`);
    const pending: JobEvent[] = [];
    let wake: (() => void) | undefined;
    // 404 before the stream starts.
    const { history, stop } = await jobs.follow(id, (event) => {
      pending.push(event);
      wake?.();
    });
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => {
        stop();
        wake?.();
      });
      let n = 0;
      let ended = false;
      const send = async (event: JobEvent) => {
        await stream.writeSSE({ event: event.event, data: JSON.stringify(event.data), id: String(n++) });
        ended ||= isFinalEvent(event);
      };
      try {
        for (const event of history) await send(event);
        while (!ended && !stream.aborted) {
          const next = pending.shift();
          if (next) {
            await send(next);
            continue;
          }
          const timedOut = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = undefined;
          if (timedOut && !stream.aborted) await stream.write(': keep-alive\n\n');
        }
      } finally {
        stop();
      }
    });
  });
}
