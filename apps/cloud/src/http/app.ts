/**
 * The cloud's HTTP API under `/api/v1`: zod-validated routes, an OpenAPI document at
 * `/api/v1/openapi.json`, bearer tokens with roles (and expiry, revocation), an audit log of changing
 * requests, a body size limit, security headers, and errors mapped to statuses in one place.
 */

import { OpenAPIHono } from '@hono/zod-openapi';
import { BadRequestError } from '../errors.js';
import type { DeviceCommands } from '../fleet/device-commands.js';
import type { Ingest } from '../ingest/ingest.js';
import type { JobManager } from '../jobs/job-manager.js';
import type { CloudMetrics } from '../observability/cloud-metrics.js';
import type { Readiness } from '../observability/readiness.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { Rollout } from '../releases/rollout.js';
import type { SigningKey } from '../releases/signing-key.js';
import type { AuthenticateDevice } from '../security/device-authenticator.js';
import type { SqlDriver } from '../storage/driver.js';
import type { EcgVectorIndex } from '../vector-index/ecg-vector-index.js';
import type { AuthVariables } from './auth.js';
import { mountDashboardPage } from './dashboard-page.js';
import { mountDevicePage } from './device-page.js';
import { errorResponse } from './error-status.js';
import {
  auditChanges,
  DEFAULT_MAX_BODY_BYTES,
  limitBody,
  refuseUnsafeText,
  securityHeaders,
} from './request-safety.js';
import { auditRoutes } from './routes/audit.js';
import { clinicalRoutes } from './routes/clinical.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { deviceRoutes } from './routes/devices.js';
import { jobRoutes } from './routes/jobs.js';
import { metricsRoutes } from './routes/metrics.js';
import { queryRoutes } from './routes/queries.js';
import { readinessRoutes } from './routes/readiness.js';
import { recordRoutes } from './routes/records.js';
import { releaseRoutes } from './routes/releases.js';
import { statusRoutes } from './routes/status.js';
import { tokenRoutes } from './routes/tokens.js';
import { whoamiRoutes } from './routes/whoami.js';

/** What the API's routes work with. */
export interface ApiContext {
  readonly db: SqlDriver;
  readonly ingest: Ingest;
  readonly releases: ReleaseCatalog;
  readonly rollout: Rollout;
  /** Commands to devices on their `cmd` topics. */
  readonly commands: DeviceCommands;
  readonly signingKey: SigningKey;
  /** Training jobs (pretrain, align) in worker threads. */
  readonly jobs: JobManager;
  /** The in-process index over device embeddings (PGlite); undefined: pgvector's (a server). */
  readonly ecgIndex?: EcgVectorIndex | undefined;
  /**
   * Folders server-side paths in requests (record imports, a pretrain job's `dataDir`, release
   * registration) must lie under; see `security/import-roots.ts`. Default none: every such path refused.
   */
  readonly importRoots?: readonly string[] | undefined;
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /** Sign-offs since the last align job that make `GET /jobs/align-proposal` propose one. Default 25. */
  readonly alignProposalSignOffs?: number | undefined;
  /** Checks a device's id and secret (model downloads); undefined: only bearer tokens get model files. */
  readonly authenticateDevice?: AuthenticateDevice | undefined;
  /** The built browser device page's folder, served at `/device/`; undefined: not served. */
  readonly devicePageDir?: string | undefined;
  /** This instance's metrics, served at `/metrics`. */
  readonly metrics: CloudMetrics;
  /** Whether this instance can take traffic now (`/ready`). */
  readonly readiness: () => Promise<Readiness>;
}

/** Hono environment of every route. */
export type ApiEnv = { Variables: AuthVariables };

/** Builds the Hono app (no socket: serve it with @hono/node-server or call `app.request`). */
export function createApi(context: ApiContext) {
  const api = new OpenAPIHono<ApiEnv>({
    // zod failures go through the same error mapping as everything else.
    defaultHook: (result) => {
      if (!result.success) {
        throw new BadRequestError(
          'request does not match the schema',
          result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
        );
      }
    },
  });
  api.use('*', auditChanges(context.db));
  api.use('*', limitBody(context.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  api.use('*', refuseUnsafeText);
  statusRoutes(api, context);
  readinessRoutes(api, context);
  deviceRoutes(api, context);
  recordRoutes(api, context);
  queryRoutes(api, context);
  clinicalRoutes(api, context);
  releaseRoutes(api, context);
  jobRoutes(api, context);
  whoamiRoutes(api, context);
  tokenRoutes(api, context);
  auditRoutes(api, context);
  deadLetterRoutes(api, context);
  metricsRoutes(api, context);
  api.doc('/openapi.json', {
    openapi: '3.0.0',
    info: { title: 'heartline cloud', version: '1' },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const app = new OpenAPIHono<ApiEnv>();
  app.onError(errorResponse);
  app.use('*', securityHeaders);
  app.route('/api/v1', api);
  mountDashboardPage(app);
  if (context.devicePageDir !== undefined) mountDevicePage(app, context.devicePageDir);
  return app;
}
