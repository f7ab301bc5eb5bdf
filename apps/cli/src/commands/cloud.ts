import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  listDevices,
  openStorage,
  resolveCloudTls,
  spkiSha256,
  startCloud,
  writeMosquittoFiles,
} from '@heartline/cloud';
import { DEVICE_PAGE_DIR } from '@heartline/device';
import { cliLogger, logFormatOption } from '../cloud-log.js';
import { type Command, UsageError } from '../command.js';
import { integerOption } from '../option-values.js';
import { parseOptions } from '../run-cli.js';
import { rollbackQuorumOption } from './rollback-quorum-option.js';
import { checkListenSecurity, tlsHostNames } from './tls-options.js';

const usage = `usage: heartline cloud [--port P] [--mqtt-port M] [--ws-port W] [--host H] [--data DIR]
                       [--tls | --tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--mtls] [--insecure]
                       [--release DIR]... [--import-root DIR]... [--write-mosquitto DIR]
                       [--rollback-quorum N[:F]] [--log-format json|pretty]

Starts the cloud: HTTP API (/api/v1, OpenAPI document at /api/v1/openapi.json), the embedded MQTT broker
(TCP, and WebSocket with --ws-port) and the database in the data directory; registers each --release
directory. Stops on Ctrl-C. Issue credentials with \`heartline device-add\` and \`heartline token\` while
the cloud is stopped (the embedded database has one writer).

environment:
  DATABASE_URL   a PostgreSQL server with pgvector instead of the embedded database
  MQTT_URL       an external broker (e.g. mosquitto) instead of the embedded one; the cloud logs in as
                 user 'cloud' with the password kept in DIR/mqtt-cloud.secret
  LOG_FORMAT     json or pretty, as --log-format

options:
  --port P                HTTP port (default 8080)
  --mqtt-port M           embedded broker TCP port (default 1883)
  --ws-port W             embedded broker WebSocket port (default: none)
  --host H                interface to listen on (default 127.0.0.1); another interface needs TLS or
                          --insecure
  --tls                   TLS on every listener (HTTPS, MQTTS, WSS) with the local CA in DIR/../tls
                          (created on first use; its ca.pem is what devices get with --ca)
  --tls-cert FILE         TLS with this server certificate (PEM) and --tls-key FILE; --tls-ca FILE is
                          the CA devices get with --ca (and client certificates are checked against)
  --mtls                  mutual TLS: the broker's TLS listener asks for device certificates signed by
                          the CA (CN = device id, see heartline device-cert) and takes one as the
                          device's credential; with --write-mosquitto mosquitto requires them
  --insecure              allow a plaintext listener on a network interface (secrets in clear)
  --data DIR              data directory (default .heartline/cloud)
  --release DIR           release directory to register (repeatable)
  --rollback-quorum N[:F] a channel rolls itself back when at least N of its devices, and the share F
                          of them, report a failed update or a quality drop (default 2:0.3)
  --import-root DIR       a folder API requests may name server-side folders under (record imports,
                          pretrain data, release registration; repeatable; default: the data directory)
  --write-mosquitto DIR   write mosquitto.conf, passwords and acl for the registered devices, then exit
  --log-format F          json (default: one JSON object per line on stderr, with the instance id) or
                          pretty (one readable line per record)`;

/** The cloud's password on an external broker, created on first use and kept in the data directory. */
async function cloudMqttPassword(dataDir: string): Promise<string> {
  const path = join(dataDir, 'mqtt-cloud.secret');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(path, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

/** `heartline cloud`: runs the cloud until interrupted. */
export const cloudCommand: Command = {
  name: 'cloud',
  summary: 'run the cloud: HTTP API, MQTT broker and ingest, database',
  usage,
  async run(argv, io, env) {
    const { values, positionals } = parseOptions(argv, {
      port: { type: 'string', default: '8080' },
      'mqtt-port': { type: 'string' },
      'ws-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      tls: { type: 'boolean', default: false },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      mtls: { type: 'boolean', default: false },
      insecure: { type: 'boolean', default: false },
      data: { type: 'string', default: '.heartline/cloud' },
      release: { type: 'string', multiple: true },
      'rollback-quorum': { type: 'string' },
      'import-root': { type: 'string', multiple: true },
      'write-mosquitto': { type: 'string' },
      'log-format': { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const rollbackQuorum = rollbackQuorumOption(values['rollback-quorum']);
    const logFormat = logFormatOption(values['log-format'], env.logFormat, 'json');
    const dataDir = resolve(values.data);
    const security = checkListenSecurity(values, false);
    if (values.mtls && !security.tls) throw new UsageError('--mtls needs TLS (--tls or --tls-cert)');
    // The local CA sits beside the cloud's data directory (`heartline start` keeps it at <data>/tls).
    const tls = security.tls
      ? await resolveCloudTls({
          dataDir: dirname(dataDir),
          hosts: tlsHostNames(values.host),
          certFile: values['tls-cert'] && resolve(values['tls-cert']),
          keyFile: values['tls-key'] && resolve(values['tls-key']),
          caFile: values['tls-ca'] && resolve(values['tls-ca']),
          requestClientCert: values.mtls,
        })
      : undefined;
    const { databaseUrl, mqttUrl } = env;
    const mqttPort = integerOption('--mqtt-port', values['mqtt-port'] ?? (tls ? '8883' : '1883'), 0, 65_535);

    if (values['write-mosquitto']) {
      const db = await openStorage({ dataDir, databaseUrl });
      try {
        const devices = await listDevices(db);
        const dir = resolve(values['write-mosquitto']);
        await writeMosquittoFiles(dir, {
          // With TLS the devices' listener is MQTTS on --mqtt-port; the cloud keeps 1883 on loopback.
          port: tls ? 1883 : (mqttPort ?? 1883),
          ...(tls
            ? {
                tls: {
                  port: mqttPort ?? 8883,
                  cafile: tls.caFile ?? tls.certFile,
                  certfile: tls.certFile,
                  keyfile: tls.keyFile,
                  requireCertificate: values.mtls,
                },
              }
            : {}),
          host: values.host,
          cloudPassword: await cloudMqttPassword(dataDir),
          devices: devices.filter((d) => !d.revoked),
        });
        io.stdout(`wrote ${dir}/mosquitto.conf, passwords and acl for ${devices.length} devices\n`);
      } finally {
        await db.close();
      }
      return 0;
    }

    const cloud = await startCloud({
      dataDir,
      databaseUrl,
      mqttUrl,
      ...(mqttUrl ? { mqttPassword: await cloudMqttPassword(dataDir) } : {}),
      httpPort: integerOption('--port', values.port, 0, 65_535),
      mqttPort,
      wsPort: integerOption('--ws-port', values['ws-port'], 0, 65_535),
      host: values.host,
      releaseDirs: values.release ?? [],
      releaseGuard: rollbackQuorum,
      devicePageDir: DEVICE_PAGE_DIR,
      ...(tls ? { tls: tls.tls } : {}),
      importRoots: values['import-root']?.map((dir) => resolve(dir)) ?? [dataDir],
      logger: cliLogger(logFormat, io.stderr, Boolean(process.stderr.isTTY)),
    });
    io.stdout(
      `cloud: ${tls ? 'https' : 'http'}://${values.host}:${cloud.httpPort}/api/v1 (OpenAPI: /api/v1/openapi.json), database ${cloud.db.kind}` +
        (cloud.mqttPort !== undefined
          ? `, ${tls ? 'mqtts' : 'mqtt'}://${values.host}:${cloud.mqttPort}`
          : `, broker ${mqttUrl}`) +
        (cloud.wsPort !== undefined ? `, ${tls ? 'wss' : 'ws'}://${values.host}:${cloud.wsPort}` : '') +
        '\n',
    );
    if (tls)
      io.stdout(
        `cloud: TLS with ${tls.certFile}; devices take --ca ${tls.caFile ?? '(no CA file given)'}; ` +
          `server key pin sha256/${spkiSha256(tls.tls.cert)}\n`,
      );
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    io.stderr('cloud: stopping\n');
    await cloud.close();
    return 0;
  },
};
