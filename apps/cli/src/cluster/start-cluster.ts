/**
 * `heartline start --cluster N`: the scale-out design on one machine. The order of the steps is the
 * cluster test's (test/cloud-cluster.test.ts): PostgreSQL, then the devices registered in it, then
 * mosquitto with a password file that knows them, then instance 0 alone (migrations, the release, the
 * signing key), then the others together, then the devices on mosquitto.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  addDevice,
  createToken,
  findDevice,
  listDevices,
  openStorage,
  resolveCloudTls,
  spkiSha256,
  writeMosquittoFiles,
} from '@heartline/cloud';
import { clusterOwner, type PostgresCluster, startPostgresCluster } from '@heartline/node-io';
import type { CommandIo } from '../command.js';
import { tlsHostNames } from '../commands/tls-options.js';
import { ClusterStartError } from '../errors.js';
import { demoFleet, startFleet } from '../pipeline/device-fleet.js';
import { readSecrets, writeSecrets } from '../pipeline/start-assets.js';
import type { ManagedProcess } from './child-process.js';
import { type CloudInstance, startInstance } from './cloud-instances.js';
import { requestJson } from './instance-api.js';
import { startMosquitto } from './mosquitto-broker.js';
import type { ClusterPrograms } from './system-programs.js';
import { freePort, waitForStop } from './wait.js';

/** What `start` parsed for the cluster. */
export interface ClusterStartOptions {
  /** Number of cloud instances, 2–8. */
  readonly size: number;
  readonly dataDir: string;
  readonly synthDir: string;
  readonly releaseDir: string;
  readonly programs: ClusterPrograms;
  readonly host: string;
  /** Instance 0's HTTP port; instance i listens on httpPort + i (0: free ports). */
  readonly httpPort: number;
  /** mosquitto's port for devices. Default 8883 (MQTTS), 1883 with `insecure`. */
  readonly mqttPort?: number;
  readonly insecure: boolean;
  readonly tlsFiles: {
    certFile?: string | undefined;
    keyFile?: string | undefined;
    caFile?: string | undefined;
  };
  readonly deviceCount: number;
  readonly speed: number;
  readonly rollbackQuorum?: string;
  readonly logFormat: 'json' | 'pretty';
  /** Stop cleanly after this many seconds. Default: on SIGINT/SIGTERM only. */
  readonly exitAfter?: number;
  /** When `start` began (ms), for the summary. */
  readonly started: number;
}

/** Reads `path` or creates it with a new random secret (0600). */
async function keptSecret(path: string): Promise<string> {
  const kept = await readFile(path, 'utf8').catch(() => '');
  if (kept.trim()) return kept.trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Runs the cluster until SIGINT/SIGTERM (or `exitAfter`), then stops everything; resolves with 0. */
export async function startCluster(options: ClusterStartOptions, io: CommandIo): Promise<number> {
  const clusterDir = join(options.dataDir, 'cluster');
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  // As root the database runs as 'postgres', who must be able to pass through (not list) these folders.
  if (clusterOwner()) for (const dir of [options.dataDir, clusterDir]) await chmod(dir, 0o711);
  const tls = options.insecure
    ? undefined
    : await resolveCloudTls({
        dataDir: options.dataDir,
        hosts: tlsHostNames(options.host),
        ...options.tlsFiles,
      });
  if (tls?.action === 'created')
    io.stdout(`tls: created a local certificate authority in ${dirname(tls.caFile!)}\n`);
  const ca = tls?.caFile ? await readFile(tls.caFile, 'utf8') : undefined;
  const local = tls ? 'localhost' : '127.0.0.1';

  // Stopped in reverse order of starting: devices, instances, mosquitto, PostgreSQL.
  const stopping: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stopping.reverse()) await step().catch(() => undefined);
    stopping.length = 0;
  };
  try {
    io.stdout(`cluster: PostgreSQL ${options.programs.postgresVersion} in ${join(clusterDir, 'postgres')}\n`);
    const postgres: PostgresCluster = await startPostgresCluster({
      dir: join(clusterDir, 'postgres'),
      lookup: options.programs.postgres,
    });
    stopping.push(() => postgres.stop());
    const databaseUrl = await postgres.ensureDatabase('heartline');

    // Devices and the operator token go into the database before mosquitto reads its password file.
    const fleet = demoFleet(options.deviceCount);
    const secretsPath = join(clusterDir, 'device-secrets.json');
    const tokenPath = join(clusterDir, 'operator-token.json');
    const secrets = await readSecrets(secretsPath);
    const tokens = await readSecrets(tokenPath);
    const db = await openStorage({ databaseUrl });
    let devices: Awaited<ReturnType<typeof listDevices>>;
    try {
      for (const device of fleet) {
        const known = await findDevice(db, device.id);
        if (known && secrets[device.id]) continue;
        if (known) {
          io.stderr(
            `start: device ${device.id} is registered but its secret is not in ${secretsPath}; skipping it\n`,
          );
          continue;
        }
        secrets[device.id] = await addDevice(db, device.id, device.channel);
      }
      tokens['operator'] ??= await createToken(db, 'operator', { label: 'start --cluster' });
      devices = (await listDevices(db)).filter((d) => !d.revoked);
    } finally {
      await db.close();
    }
    await writeSecrets(secretsPath, secrets);
    await writeSecrets(tokenPath, tokens);
    const token = tokens['operator']!;

    // mosquitto: devices on mqttPort (MQTTS with TLS); the instances on a loopback plaintext listener.
    const chosenMqttPort = options.mqttPort ?? (tls ? 8883 : 1883);
    const mqttPort = chosenMqttPort === 0 ? await freePort() : chosenMqttPort;
    const cloudPort = tls ? await freePort() : mqttPort;
    const cloudPassword = await keptSecret(join(clusterDir, 'mqtt-cloud.secret'));
    const mosquittoDir = join(clusterDir, 'mosquitto');
    await writeMosquittoFiles(mosquittoDir, {
      port: cloudPort,
      host: options.host,
      ...(tls
        ? {
            tls: {
              port: mqttPort,
              cafile: tls.caFile ?? tls.certFile,
              certfile: tls.certFile,
              keyfile: tls.keyFile,
            },
          }
        : {}),
      cloudPassword,
      devices,
    });
    const broker = await startMosquitto(
      options.programs.mosquitto,
      join(mosquittoDir, 'mosquitto.conf'),
      cloudPort,
    );
    stopping.push(() => broker.stop());

    const instances: CloudInstance[] = [];
    stopping.push(() => Promise.all(instances.map((i) => i.process.stop())).then(() => undefined));
    const specOf = async (index: number) => {
      const dir = join(clusterDir, `cloud-${index}`);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(join(dir, 'mqtt-cloud.secret'), `${cloudPassword}\n`, { mode: 0o600 });
      const port = options.httpPort === 0 ? 0 : options.httpPort + index;
      return {
        index,
        args: [
          ...['--data', dir, '--port', String(port), '--host', options.host],
          ...(tls
            ? [
                '--tls-cert',
                tls.certFile,
                '--tls-key',
                tls.keyFile,
                ...(tls.caFile ? ['--tls-ca', tls.caFile] : []),
              ]
            : ['--insecure']),
          ...['--import-root', dir, '--import-root', options.synthDir],
          ...['--import-root', join(options.dataDir, 'releases')],
          // Instance 0 registers the release (its files go into the database for the others).
          ...(index === 0 ? ['--release', options.releaseDir] : []),
          ...(options.rollbackQuorum ? ['--rollback-quorum', options.rollbackQuorum] : []),
          ...['--log-format', options.logFormat],
        ],
        env: { ...process.env, DATABASE_URL: databaseUrl, MQTT_URL: `mqtt://127.0.0.1:${cloudPort}` },
        urlHost: local,
        ca,
        log: (line: string) => io.stderr(`[cloud-${index}] ${line}\n`),
      };
    };
    // The first one migrates and signs alone; then the others start together.
    instances.push(await startInstance(await specOf(0)));
    const rest = await Promise.allSettled(
      Array.from({ length: options.size - 1 }, async (_, i) => startInstance(await specOf(i + 1))),
    );
    for (const result of rest) if (result.status === 'fulfilled') instances.push(result.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    instances.sort((a, b) => a.index - b.index);
    const first = instances[0]!;
    const api = <T>(path: string, init: { method?: string; body?: unknown } = {}) =>
      requestJson<T>(`${first.base}/api/v1${path}`, { ...init, token, ca });

    // Records, ECGs and channels through instance 0's API, as an operator would.
    const statePath = join(clusterDir, 'start-state.json');
    const markers = await readSecrets(statePath);
    if (!markers['imported']) {
      const imported = await api<{ stored: number; ecgs?: { stored: number; deviceId: string } }>(
        '/records/import',
        { method: 'POST', body: { dir: options.synthDir, ecgs: true } },
      );
      if (imported.status !== 200)
        throw new ClusterStartError(`importing ${options.synthDir}: ${JSON.stringify(imported.body)}`);
      io.stdout(
        `cloud: imported ${imported.body.stored} clinical records and ${imported.body.ecgs?.stored ?? 0} ECGs ` +
          `as cases of ${imported.body.ecgs?.deviceId ?? '?'}\n`,
      );
      await writeSecrets(statePath, { ...markers, imported: new Date().toISOString() });
    }
    const listed = await api<{ releases: { id: string; live: boolean }[]; channels: { channel: string }[] }>(
      '/releases',
    );
    const release = listed.body.releases?.filter((r) => r.live).at(-1);
    if (!release) throw new ClusterStartError('no release is registered with the cloud');
    for (const channel of ['stable', 'canary']) {
      if (listed.body.channels.some((c) => c.channel === channel)) continue;
      const done = await api(`/releases/${encodeURIComponent(release.id)}/rollout`, {
        method: 'POST',
        body: { channel },
      });
      if (done.status !== 200)
        throw new ClusterStartError(`rollout to ${channel}: ${JSON.stringify(done.body)}`);
      io.stdout(`cloud: release ${release.id} rolled out to channel ${channel}\n`);
    }
    const key = await api<{ publicKeyPem: string }>('/signing-key');
    const publicKeyFile = join(clusterDir, 'cloud-signing-public.pem');
    await writeFile(publicKeyFile, key.body.publicKeyPem);

    const members = fleet
      .filter((d) => secrets[d.id])
      .map((device) => ({ device, secret: secrets[device.id]! }));
    const running = startFleet(members, {
      broker: `${tls ? 'mqtts' : 'mqtt'}://${local}:${mqttPort}`,
      ...(tls?.caFile ? { caFile: tls.caFile } : {}),
      publicKeyFile,
      stateDir: join(clusterDir, 'devices'),
      speed: options.speed,
      mqttVersion: 5,
      log: (line) => io.stderr(`${line}\n`),
    });
    stopping.push(running.stop);

    const health = await api<{ pgvector?: boolean }>('/health');
    const pid = (p: ManagedProcess) => `pid ${p.pid}`;
    const tlsLines = tls
      ? `  TLS        CA certificate ${tls.caFile ?? '(none given)'}: devices take it as --ca FILE, browsers may\n` +
        `             import it as a trusted authority; server key pin sha256/${spkiSha256(tls.tls.cert)}\n`
      : '  TLS        off (--insecure): device secrets and tokens cross the network in clear\n';
    io.stdout(
      `\nheartline is up in ${((Date.now() - options.started) / 1000).toFixed(0)} s, as a cluster of ${instances.length} cloud instances:\n` +
        `  dashboard  ${first.base}/ (instance 0; every instance serves it)\n` +
        instances
          .map(
            (i) =>
              `  instance ${i.index} ${i.base}/api/v1 (${pid(i.process)}, data ${join(clusterDir, `cloud-${i.index}`)})\n`,
          )
          .join('') +
        `  API        ${first.base}/api/v1 (OpenAPI: ${first.base}/api/v1/openapi.json)\n` +
        `  broker     mosquitto ${tls ? 'mqtts' : 'mqtt'}://${local}:${mqttPort} for devices (${pid(broker)}); ` +
        `the instances share $share/cloud/hl/v1/dev/+/emb on mqtt://127.0.0.1:${cloudPort}\n` +
        `  database   PostgreSQL ${postgres.binaries.version} on 127.0.0.1:${postgres.port} (pid ${postgres.pid}, ` +
        `pgvector ${health.body?.pgvector ? 'in use' : 'not installed: vectors searched without it'})\n` +
        tlsLines +
        `  devices    ${members.map((m) => `${m.device.id} (${m.device.describe})`).join(', ') || 'none'}\n` +
        `  operator   Authorization: Bearer ${token}\n` +
        `  try        curl ${tls ? `--cacert ${tls.caFile} ` : ''}-H 'Authorization: Bearer ${token}' ${instances.at(-1)!.base}/api/v1/stats\n` +
        'Ctrl-C stops everything.\n',
    );

    await waitForStop(options.exitAfter);
    io.stdout('stopping: devices, cloud instances, mosquitto, PostgreSQL…\n');
    const stats = await api<{ embeddings?: number }>('/stats').catch(() => undefined);
    await stop();
    io.stdout(`stopped; embeddings stored: ${stats?.body.embeddings ?? '?'}\n`);
    return 0;
  } catch (error) {
    await stop();
    throw error;
  }
}
