/**
 * One cloud instance: database (PGlite in the data directory or `DATABASE_URL`), broker link (embedded
 * aedes or `MQTT_URL`), the embedding ingest, the release catalog and the HTTP API.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@heartline/contract';
import { serve } from '@hono/node-server';
import type { MessageBus } from './broker/bus.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
import { connectExternalBus, type ExternalBus } from './broker/external-bus.js';
import { validateCloudOptions } from './cloud-options-schema.js';
import { DeviceCommands } from './fleet/device-commands.js';
import { FleetStates } from './fleet/fleet-states.js';
import { createApi } from './http/app.js';
import { Ingest, type IngestOptions } from './ingest/ingest.js';
import { JobManager } from './jobs/job-manager.js';
import { createCloudLogger, type Logger, lineLog } from './observability/cloud-logger.js';
import { CloudMetrics } from './observability/cloud-metrics.js';
import { type BrokerLink, checkReadiness } from './observability/readiness.js';
import { RecordVectorBackfill } from './records/record-vector-backfill.js';
import { registerReleaseDir } from './releases/register-release-dir.js';
import { ReleaseFiles } from './releases/release-files.js';
import { ReleaseGuard, type ReleaseGuardOptions } from './releases/release-guard.js';
import { loadReleaseModel, ReleaseCatalog, type ReleaseModel } from './releases/release-models.js';
import { Rollout } from './releases/rollout.js';
import { loadOrCreateSigningKey } from './releases/signing-key.js';
import { deviceAuthenticator } from './security/device-authenticator.js';
import { onDeviceCredentialsChanged } from './security/device-credentials.js';
import type { CloudTlsOptions } from './security/tls-files.js';
import { findDevice } from './storage/devices.js';
import type { SqlDriver } from './storage/driver.js';
import { openStorage } from './storage/open-storage.js';
import {
  dropEmbeddingHnswIndexes,
  ensureReleaseIndexes,
  listReleases,
  usesInProcessEcgIndex,
} from './storage/releases.js';
import { EcgVectorIndex } from './vector-index/ecg-vector-index.js';

/** Options of {@link startCloud}; every field is optional. */
export interface CloudOptions {
  /** Data directory (database, keys). Undefined: in-memory database (tests). */
  readonly dataDir?: string | undefined;
  /** PostgreSQL server URL; default: none (PGlite). The CLI passes `DATABASE_URL`. */
  readonly databaseUrl?: string | undefined;
  /** External broker URL; default: none (embedded aedes). The CLI passes `MQTT_URL`. */
  readonly mqttUrl?: string | undefined;
  /** The cloud's password on the external broker (user `cloud`). */
  readonly mqttPassword?: string | undefined;
  /**
   * This instance's name, unique among the instances sharing a broker and stable across its restarts:
   * its session on an external broker (deliveries not yet acknowledged) is kept under it. Default
   * `<host name>-<HTTP port>` when the port is fixed, else a random one (no redelivery after a restart).
   */
  readonly instanceId?: string | undefined;
  /** HTTP port; 0 picks a free one; undefined: no HTTP listener (the app is still in `api`). Default undefined. */
  readonly httpPort?: number | undefined;
  /** Embedded broker TCP port; 0 picks a free one. Default 1883 (8883 with `tls`). */
  readonly mqttPort?: number | undefined;
  /** Embedded broker WebSocket port; 0 picks a free one; undefined: none. Default undefined. */
  readonly wsPort?: number | undefined;
  /** Interface the listeners bind. Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /**
   * TLS for every listener: HTTPS, WSS at `/mqtt` on the HTTP server, MQTTS on the embedded broker's
   * TCP port (and WSS on `wsPort`). Undefined: plaintext (HTTP, WS, MQTT). See security/tls-files.ts.
   */
  readonly tls?: CloudTlsOptions | undefined;
  /** Release directories to verify and register at start. Default none. */
  readonly releaseDirs?: readonly string[] | undefined;
  /** Ingest batch size and flush delay (see IngestOptions). */
  readonly batchSize?: number | undefined;
  readonly flushMs?: number | undefined;
  /** Base URL devices reach this cloud's HTTP API at (for download URLs in manifests). Default: the listener. */
  readonly publicUrl?: string | undefined;
  /** Told after each ingest batch is stored (see IngestOptions). */
  readonly onStored?: IngestOptions['onStored'];
  /** Loads a release directory; default: TF.js through `@heartline/trainer`. */
  readonly loadRelease?: ((dir: string) => Promise<ReleaseModel>) | undefined;
  /** Thresholds of the automatic rollback (see releases/rollback-policy.ts). Default: its defaults. */
  readonly releaseGuard?: ReleaseGuardOptions | undefined;
  /**
   * Folders server-side paths in API requests (record imports, a pretrain job's `dataDir`, release
   * registration) must lie under, symbolic links resolved. Default: the data directory (none without one).
   */
  readonly importRoots?: readonly string[] | undefined;
  /** Largest HTTP request body in bytes (413 above). Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /**
   * Sign-offs (reports signed into clinical records) since the last align job of the stable release's
   * lineage that make the cloud propose the next align job (`GET /jobs/align-proposal`, the dashboard's
   * jobs panel). Default 25; at least 1.
   */
  readonly alignProposalSignOffs?: number | undefined;
  /**
   * The built browser device page (`DEVICE_PAGE_DIR` of `@heartline/device`), served at `/device/`.
   * Default: none, and `/device/` is not served.
   */
  readonly devicePageDir?: string | undefined;
  /** Log lines (rejections, start-up). Default: JSON lines on `logger`; given, `logger` is not used. */
  readonly log?: ((line: string) => void) | undefined;
  /**
   * The pino logger the default `log` writes to, each line with this instance's id as `instance`.
   * Default: JSON lines on stderr (`createCloudLogger`, observability/cloud-logger.ts).
   */
  readonly logger?: Logger | undefined;
}

/** A running cloud instance. */
export interface Cloud {
  readonly db: SqlDriver;
  readonly bus: MessageBus;
  readonly ingest: Ingest;
  readonly releases: ReleaseCatalog;
  /** The in-process index over device embeddings (PGlite); undefined on a PostgreSQL server. */
  readonly ecgIndex: EcgVectorIndex | undefined;
  readonly rollout: Rollout;
  /** Training jobs; releases go under `<dataDir>/releases/` (a temporary directory without one). */
  readonly jobs: JobManager;
  /** The Hono app (serves `/api/v1`); usable with `api.request()` without a socket. */
  readonly api: ReturnType<typeof createApi>;
  readonly httpPort: number | undefined;
  readonly mqttPort: number | undefined;
  readonly wsPort: number | undefined;
  /** This instance's Prometheus metrics (served at `/api/v1/metrics`). */
  readonly metrics: CloudMetrics;
  /**
   * Calls `listener` with the id of every device revoked through the API or `revokeDevice` on this
   * instance, after the database has it (e.g. to drop it from a cache of known devices); returns the
   * unsubscribe. The embedded broker already closes the device's sessions.
   */
  onDeviceRevoked(listener: (deviceId: string) => void): () => void;
  close(): Promise<void>;
}

/**
 * The broker's TLS options: with `requestClientCert`, clients are asked for a certificate, but one
 * without (or with one the CA did not sign) is still let in to log in with its secret; the broker trusts
 * only certificates the handshake verified (`socket.authorized`).
 */
function brokerTls(tls: CloudTlsOptions) {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.requestClientCert ? { requestCert: true, rejectUnauthorized: false } : {}),
  };
}

/** Starts a cloud instance; `options` are validated first (InvalidOptionsError names a wrong field). */
export async function startCloud(options: CloudOptions = {}): Promise<Cloud> {
  validateCloudOptions(options);
  // Named even without a stable id, so its log lines and metrics can be told from other instances'.
  const instanceName = instanceId(options) ?? `cloud-${randomBytes(4).toString('hex')}`;
  const log =
    options.log ?? lineLog((options.logger ?? createCloudLogger()).child({ instance: instanceName }));
  const metrics = new CloudMetrics(instanceName);
  // Owner only (0700): the data directory holds the signing key, secrets and the database.
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const db = await openStorage({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  const cleanups: (() => Promise<void>)[] = [() => db.close()];
  try {
    for (const dir of options.releaseDirs ?? []) {
      const row = await registerReleaseDir(db, dir);
      log(`cloud: release ${row.id} registered (h ${row.ecgDim}-d → z ${row.sharedDim}-d)`);
    }
    // Releases registered before their files were kept in the database get them now, where this instance has them.
    const releaseFiles = await ReleaseFiles.open({
      db,
      cacheDir: options.dataDir === undefined ? undefined : join(options.dataDir, 'release-cache'),
      log,
    });
    cleanups.push(() => releaseFiles.close());
    const releases = new ReleaseCatalog(db, options.loadRelease ?? loadReleaseModel, releaseFiles);
    // Devices log in to the broker and download model files with the same check: the same scrypt work
    // for unknown, revoked and known ids, at most two at once.
    const authenticateDevice = deviceAuthenticator({ lookup: (deviceId) => findDevice(db, deviceId) });
    // Reports stored before a release was registered get its vectors too (every release, at start).
    const recordVectors = new RecordVectorBackfill(db, releases, log);
    releases.onNewRelease((row) => void recordVectors.request(row.id));
    cleanups.unshift(() => recordVectors.close());
    await releases.refresh();
    log(
      `cloud: database ${db.kind}${db.pgvector ? ' with pgvector' : ' without pgvector'}; ECG search ${usesInProcessEcgIndex(db) ? 'in process' : 'through pgvector'}`,
    );
    // pgvector's indexes of every release (a database converted to real[] vectors lost them).
    for (const release of await listReleases(db)) await ensureReleaseIndexes(db, release);
    let ecgIndex: EcgVectorIndex | undefined;
    if (usesInProcessEcgIndex(db)) {
      for (const name of await dropEmbeddingHnswIndexes(db))
        log(`cloud: dropped ${name} (in-process index now)`);
      const index = await EcgVectorIndex.open({
        db,
        dir: options.dataDir === undefined ? undefined : join(options.dataDir, 'vector-index'),
        log,
      });
      ecgIndex = index;
      // Closed after the ingest has flushed (cleanups run first to last; the ingest is put before).
      cleanups.unshift(() => index.close());
    }
    // Set once the rollout exists; told after every stored batch so it can watch the quality.
    let guard: ReleaseGuard | undefined;
    const ingest = new Ingest({
      db,
      releases,
      log,
      observer: metrics.ingest,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
      onStored: (rows) => {
        ecgIndex?.follow().catch((e: Error) => log(`cloud: vector index: ${e.message}`));
        options.onStored?.(rows);
        guard?.embeddingsStored();
      },
    });

    cleanups.unshift(() => ingest.close());

    let bus: MessageBus;
    let mqttPort: number | undefined;
    let wsPort: number | undefined;
    let embedded: EmbeddedBroker | undefined;
    let external: ExternalBus | undefined;
    if (options.mqttUrl) {
      const instance = instanceId(options);
      bus = external = await connectExternalBus({
        url: options.mqttUrl,
        ...(instance === undefined ? {} : { clientId: `hl-cloud-${instance}`.slice(0, 64) }),
        ...(options.mqttPassword !== undefined ? { password: options.mqttPassword } : {}),
      });
    } else {
      const broker = await startEmbeddedBroker({
        port: options.mqttPort ?? (options.tls ? 8883 : 1883),
        ...(options.tls ? { tls: brokerTls(options.tls) } : {}),
        // Mutual TLS: a device certificate the CA signed (CN = device id) stands in for the secret.
        ...(options.tls?.requestClientCert
          ? {
              async authenticateCertifiedDevice(deviceId: string) {
                const device = await findDevice(db, deviceId);
                return device && !device.revoked ? { channel: device.channel } : undefined;
              },
            }
          : {}),
        wsPort: options.wsPort,
        ...(options.host !== undefined ? { host: options.host } : {}),
        // Same scrypt work for unknown, revoked and known ids; at most two checks at once.
        authenticateDevice,
        onRefusal: (reason, detail) => ingest.reject(reason, detail),
      });
      embedded = broker;
      // A revoked device, or one given a new secret, loses its sessions at once.
      const stopDisconnecting = onDeviceCredentialsChanged(db, ({ deviceId }) => {
        broker.disconnectDevice(deviceId);
      });
      cleanups.unshift(async () => stopDisconnecting());
      bus = broker.bus;
      mqttPort = broker.port;
      wsPort = broker.wsPort;
    }
    // The ingest caches registered devices: a revoked one must be checked again (on either broker path).
    const stopForgetting = onDeviceCredentialsChanged(db, ({ deviceId }) => ingest.forgetDevice(deviceId));
    cleanups.unshift(async () => stopForgetting());
    // Closing order: HTTP, broker link (no new messages), ingest (flush), database.
    cleanups.unshift(() => bus.close());
    let subscribed = false;
    const brokerLink = (): BrokerLink => ({
      kind: bus.kind,
      connected: external?.connected ?? true,
      subscribed,
      clients: embedded?.connectedClients,
    });
    await bus.subscribe(TOPICS.allEmbeddings, (topic, payload) => ingest.handle(topic, payload));
    subscribed = true;
    metrics.watch({ db, ingest, ecgIndex, broker: brokerLink });

    const signingKey = await loadOrCreateSigningKey(db, { dataDir: options.dataDir, log });
    let publicUrl = options.publicUrl;
    const rollout = new Rollout(
      db,
      bus,
      signingKey,
      (release, file) => {
        const base = publicUrl ?? (options.tls ? 'https://127.0.0.1' : 'http://127.0.0.1');
        return `${base}/api/v1/releases/${encodeURIComponent(release)}/files/${encodeURIComponent(file)}`;
      },
      releaseFiles,
    );
    await rollout.republish();
    const releaseGuard = new ReleaseGuard(db, rollout, options.releaseGuard, log);
    guard = releaseGuard;
    cleanups.unshift(() => releaseGuard.close());
    // Every instance reads every retained state (unshared), after the rollout exists for the guard.
    const fleet = new FleetStates({
      db,
      reject: (reason, detail) => ingest.reject(reason, detail),
      onState: (device, state) => releaseGuard.onState(device, state),
      log,
    });
    await bus.subscribe(TOPICS.allStates, (topic, payload) => fleet.handle(topic, payload), {
      shared: false,
    });
    const releasesDir = options.dataDir
      ? join(options.dataDir, 'releases')
      : await mkdtemp(join(tmpdir(), 'heartline-cloud-releases-'));
    await mkdir(releasesDir, { recursive: true });
    if (!options.dataDir) cleanups.push(() => rm(releasesDir, { recursive: true, force: true }));
    const jobs = await JobManager.open({ db, releases, releasesDir, log });
    cleanups.unshift(() => jobs.close());
    // A device moved to another channel may subscribe to its release topic in the session it has.
    const commands = new DeviceCommands({
      db,
      bus,
      onChannelAssigned: (deviceId, channel) => embedded?.assignChannel(deviceId, channel),
    });
    const api = createApi({
      db,
      ingest,
      releases,
      rollout,
      commands,
      signingKey,
      jobs,
      ecgIndex,
      importRoots: options.importRoots ?? (options.dataDir !== undefined ? [options.dataDir] : []),
      maxBodyBytes: options.maxBodyBytes,
      alignProposalSignOffs: options.alignProposalSignOffs,
      authenticateDevice,
      devicePageDir: options.devicePageDir,
      metrics,
      readiness: () => checkReadiness({ db, ecgIndex, broker: brokerLink }),
    });
    let httpPort: number | undefined;
    if (options.httpPort !== undefined) {
      const server = serve({
        fetch: api.fetch,
        port: options.httpPort,
        hostname: options.host ?? '127.0.0.1',
        ...(options.tls
          ? {
              createServer: createHttpsServer,
              serverOptions: {
                cert: options.tls.cert,
                key: options.tls.key,
                ...(options.tls.ca ? { ca: options.tls.ca } : {}),
              },
            }
          : {}),
      });
      await once(server, 'listening');
      // Browser devices reach the embedded broker at ws://<this listener>/mqtt (wss:// with TLS).
      embedded?.attach(server as HttpServer);
      httpPort = (server.address() as AddressInfo).port;
      publicUrl ??= `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${httpPort}`;
      cleanups.unshift(
        () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      );
    }
    let closing: Promise<void> | undefined;
    return {
      db,
      bus,
      ingest,
      releases,
      ecgIndex,
      rollout,
      jobs,
      api,
      httpPort,
      mqttPort,
      wsPort,
      metrics,
      onDeviceRevoked: (listener) =>
        onDeviceCredentialsChanged(db, (change) => {
          if (change.kind === 'revoked') listener(change.deviceId);
        }),
      close() {
        closing ??= (async () => {
          for (const cleanup of cleanups)
            await cleanup().catch((e: Error) => log(`cloud: close: ${e.message}`));
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

/** The instance's stable name (see `CloudOptions.instanceId`), or undefined when it has none. */
function instanceId(options: CloudOptions): string | undefined {
  if (options.instanceId !== undefined) return options.instanceId;
  return options.httpPort ? `${hostname()}-${options.httpPort}` : undefined;
}
