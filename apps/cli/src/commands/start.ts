import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  addDevice,
  createToken,
  findDevice,
  importPtbxlEcgs,
  importPtbxlRecords,
  loadOrCreateSigningKey,
  resolveCloudTls,
  spkiSha256,
  startCloud,
} from '@heartline/cloud';
import { DEVICE_PAGE_DIR } from '@heartline/device';
import { cliLogger, logFormatOption } from '../cloud-log.js';
import { startCluster } from '../cluster/start-cluster.js';
import { checkClusterPrograms } from '../cluster/system-programs.js';
import { type Command, UsageError } from '../command.js';
import { integerOption, numberOption } from '../option-values.js';
import { datasetFleet, demoFleet, startFleet } from '../pipeline/device-fleet.js';
import { ensureDataset, ensureRelease, readSecrets, writeSecrets } from '../pipeline/start-assets.js';
import { datasetReleaseName, openStartDataset } from '../pipeline/start-dataset.js';
import { describeSummary, summariseFolder } from '../pipeline/summarise-folder.js';
import { isInteractive } from '../progress-bar.js';
import { parseOptions } from '../run-cli.js';
import { rollbackQuorumOption } from './rollback-quorum-option.js';
import { checkListenSecurity, tlsHostNames } from './tls-options.js';

const usage = `usage: heartline start [--data DIR] [--dataset DIR] [--port P] [--mqtt-port M] [--devices N]
                       [--preset demo|tiny|real] [--speed X] [--n N] [--seed S] [--exit-after SECONDS]
                       [--host H] [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--insecure]
                       [--rollback-quorum N[:F]] [--log-format json|pretty] [--cluster N]

The main job, on one machine: generates (once) a seeded synthetic 12-lead dataset with reports, trains the
bootstrap release on first start (cached afterwards), starts the cloud (HTTP API, embedded MQTT broker,
embedded database), imports the dataset's clinical records, rolls the release out to the stable channel,
registers and starts a fleet of simulated devices (separate processes) that download, verify and run the
release and stream embeddings, then prints the API address and an operator token. Ctrl-C stops it all.
A second start reuses the data, the release, the devices and the database.

With --dataset DIR your own PTB-XL-layout folder (ptbxl_database.csv, scp_statements.csv, records100/)
takes the synthetic dataset's place, read where it is (never copied): the bootstrap release trains on its
records of strat folds 1–8 (folds 9 and 10 are never read for training) mixed with the preset's synthetic
ECGs, cached per folder and preset (a changed or another folder trains again); its reports and 100 Hz ECGs
become the dashboard's cases; the simulated devices replay its records at 100 Hz.

With --cluster N (2–8) the scale-out design runs on this machine instead: PostgreSQL and mosquitto from
the system (Debian packages postgresql and mosquitto), N \`heartline cloud\` processes sharing them (the
ingest split by a $share subscription; the signing key and release files in the database), the simulated
devices on mosquitto, and the dashboard on instance 0 (any instance serves it). The PostgreSQL cluster
and the broker's state are kept in DIR/cluster, so a second start reuses them.

Every listener uses TLS (HTTPS, MQTTS, WSS at /mqtt): on first start a local certificate authority is
created in DIR/tls (ca.pem is the certificate devices get with --ca and browsers may trust; the keys stay
there, 0600) and reused afterwards; --tls-cert/--tls-key use your own certificate instead.

options:
  --data DIR          data directory (default .heartline)
  --dataset DIR       a PTB-XL-layout folder of real ECGs and reports instead of the synthetic dataset
  --port P            HTTPS port (default 8080)
  --mqtt-port M       embedded broker port (default 8883 for MQTTS, 1883 with --insecure)
  --host H            interface to listen on (default 127.0.0.1); another host's devices need TLS
  --tls-cert FILE     server certificate (PEM) instead of the local CA's; with --tls-key FILE
  --tls-ca FILE       the CA certificate devices get with --ca (with --tls-cert)
  --insecure          plaintext HTTP and MQTT (no TLS): secrets and tokens cross the network in clear
  --devices N         simulated devices, 0–5 (default 3)
  --preset NAME       bootstrap release preset: demo (≈3 min on first start) or tiny (seconds); with
                      --dataset also real (the recipe for real folders, about 15 min)
  --speed X           device replay speed, × real time (default 5)
  --n N, --seed S     size and seed of the synthetic dataset (default 60, 1; unused with --dataset)
  --exit-after S      stop cleanly after S seconds (for tests and timing)
  --rollback-quorum N[:F]
                      a channel rolls itself back when at least N of its devices, and the share F of
                      them, report a failed update or a quality drop (default 2:0.3; the demo's canary
                      has one device: 1:0 lets it roll itself back)
  --cluster N         N cloud instances (2–8) on the system's PostgreSQL and mosquitto; --port P is
                      instance 0's, instance i listens on P+i (0: free ports); --mqtt-port is mosquitto's
  --log-format F      the cloud's log on stderr: pretty (one readable line per record; the default on a
                      terminal) or json (one JSON object per line with the instance id; the default
                      otherwise); LOG_FORMAT sets it too`;

/** `heartline start`: the main job (what `pnpm start` runs). */
export const startCommand: Command = {
  name: 'start',
  summary: 'the main job: cloud + embedded broker + database + simulated devices, bootstrap release',
  usage,
  async run(argv, io, env) {
    const { values, positionals } = parseOptions(argv, {
      data: { type: 'string', default: '.heartline' },
      dataset: { type: 'string' },
      port: { type: 'string', default: '8080' },
      'mqtt-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      insecure: { type: 'boolean', default: false },
      devices: { type: 'string', default: '3' },
      preset: { type: 'string', default: 'demo' },
      speed: { type: 'string', default: '5' },
      n: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
      'exit-after': { type: 'string' },
      'rollback-quorum': { type: 'string' },
      'log-format': { type: 'string' },
      cluster: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const preset = values.preset;
    if (preset !== 'demo' && preset !== 'tiny' && !(preset === 'real' && values.dataset !== undefined))
      throw new UsageError(
        preset === 'real' ? '--preset real needs --dataset DIR' : '--preset must be demo, tiny or real',
      );
    const n = numberOption('--n', values.n, 1);
    const deviceCount = numberOption('--devices', values.devices, 0);
    const speed = numberOption('--speed', values.speed, 0.1);
    const rollbackQuorum = rollbackQuorumOption(values['rollback-quorum']);
    const terminal = isInteractive(env.ci);
    const logFormat = logFormatOption(values['log-format'], env.logFormat, terminal ? 'pretty' : 'json');
    checkListenSecurity(values);
    const clusterSize = integerOption('--cluster', values.cluster, 2, 8);
    if (clusterSize !== undefined && values.dataset !== undefined)
      throw new UsageError('--dataset is not supported with --cluster yet: start one machine with it');
    // Before the dataset and the training: a missing system program is known at once.
    const systemPrograms = clusterSize === undefined ? undefined : checkClusterPrograms(env);
    const started = Date.now();
    const dataDir = resolve(values.data);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    io.stdout(`heartline start: data directory ${dataDir}\n`);

    // Checked before anything is trained: a folder that is not PTB-XL layout fails here, saying why.
    const dataset = values.dataset === undefined ? undefined : await openStartDataset(values.dataset);
    const synthDir = join(dataDir, `synthetic-n${n}-seed${values.seed}`);
    if (dataset)
      io.stdout(
        `data: using ${dataset.dir} in place: ${dataset.rows} records, ${dataset.present} with a 100 Hz ` +
          `signal; ${dataset.trainable} in folds 1–8 to train on, ${dataset.heldOut} in folds 9–10 held out\n`,
      );
    else await ensureDataset(io, synthDir, n, values.seed, isInteractive(env.ci));
    // The folder the cloud imports and the devices replay.
    const casesDir = dataset?.dir ?? synthDir;
    const releaseDir = join(
      dataDir,
      'releases',
      dataset ? datasetReleaseName(dataset, preset) : `bootstrap-${preset}`,
    );
    const bootstrapId = await ensureRelease(io, releaseDir, preset, isInteractive(env.ci), dataset?.dir);

    if (clusterSize !== undefined && systemPrograms)
      return startCluster(
        {
          size: clusterSize,
          dataDir,
          synthDir,
          releaseDir,
          programs: systemPrograms,
          host: values.host,
          httpPort: numberOption('--port', values.port, 0),
          ...(values['mqtt-port'] === undefined
            ? {}
            : { mqttPort: numberOption('--mqtt-port', values['mqtt-port'], 0) }),
          insecure: values.insecure,
          tlsFiles: {
            certFile: values['tls-cert'] && resolve(values['tls-cert']),
            keyFile: values['tls-key'] && resolve(values['tls-key']),
            caFile: values['tls-ca'] && resolve(values['tls-ca']),
          },
          deviceCount,
          speed,
          ...(values['rollback-quorum'] === undefined ? {} : { rollbackQuorum: values['rollback-quorum'] }),
          logFormat,
          ...(values['exit-after'] === undefined
            ? {}
            : { exitAfter: numberOption('--exit-after', values['exit-after'], 0) }),
          started,
        },
        io,
      );

    const cloudDir = join(dataDir, 'cloud');
    const tls = values.insecure
      ? undefined
      : await resolveCloudTls({
          dataDir,
          hosts: tlsHostNames(values.host),
          certFile: values['tls-cert'] && resolve(values['tls-cert']),
          keyFile: values['tls-key'] && resolve(values['tls-key']),
          caFile: values['tls-ca'] && resolve(values['tls-ca']),
        });
    if (tls?.action === 'created')
      io.stdout(`tls: created a local certificate authority in ${dirname(tls.caFile!)}\n`);
    const cloud = await startCloud({
      dataDir: cloudDir,
      releaseDirs: [releaseDir],
      releaseGuard: rollbackQuorum,
      // Server-side folders API requests may name: the cloud's own, the dataset and the releases.
      importRoots: [cloudDir, casesDir, join(dataDir, 'releases')],
      devicePageDir: DEVICE_PAGE_DIR,
      httpPort: numberOption('--port', values.port, 0),
      mqttPort: numberOption('--mqtt-port', values['mqtt-port'] ?? (tls ? '8883' : '1883'), 0),
      host: values.host,
      ...(tls ? { tls: tls.tls } : {}),
      logger: cliLogger(logFormat, io.stderr, terminal),
    });
    const stopping: (() => Promise<void>)[] = [() => cloud.close()];
    const stop = async () => {
      for (const step of stopping) await step().catch(() => undefined);
    };
    try {
      const statePath = join(dataDir, 'start-state.json');
      const markers = await readSecrets(statePath);
      const mark = (key: string) => {
        markers[key] = new Date().toISOString();
        return writeSecrets(statePath, markers);
      };
      // Each --dataset folder (by identity) is imported once, whatever was imported before it.
      const importedKey = dataset ? `imported:${dataset.identity}` : 'imported';
      if (!markers[importedKey]) {
        if (dataset) {
          const summary = await summariseFolder(dataset.dir, 100);
          io.stdout(`${describeSummary('data: dataset', summary)}\n`);
        }
        const count = await importPtbxlRecords(cloud.db, cloud.releases, casesDir);
        io.stdout(`cloud: imported ${count} clinical records from ${casesDir}\n`);
        // The dataset's ECGs become cases too (the cloud holds their raw signal: traces on the dashboard).
        const ecgs = await importPtbxlEcgs(cloud.db, cloud.releases, casesDir, {
          ...(dataset && bootstrapId ? { release: bootstrapId } : {}),
        });
        io.stdout(
          `cloud: imported ${ecgs.stored} ECGs as cases of ${ecgs.deviceId}` +
            `${ecgs.skipped ? ` (${ecgs.skipped} without a usable signal skipped)` : ''}\n`,
        );
        await mark(importedKey);
      }
      const live = await cloud.releases.live();
      const release = (dataset && live.find((r) => r.id === bootstrapId)) || live.at(-1);
      if (!release) throw new UsageError('no release is registered with the cloud');
      // The first start puts the bootstrap release on both channels; later starts keep what operators did.
      // A dataset's release is put on both once, even where an earlier start's release already is.
      const rolledKey = `rolled-out:${release.id}`;
      const channels = await cloud.rollout.channels();
      for (const channel of ['stable', 'canary']) {
        const current = channels.find((c) => c.channel === channel);
        if (current && (!dataset || markers[rolledKey] || current.release === release.id)) continue;
        await cloud.rollout.rollOut(release.id, channel);
        io.stdout(`cloud: release ${release.id} rolled out to channel ${channel}\n`);
      }
      if (dataset && !markers[rolledKey]) await mark(rolledKey);

      const secretsPath = join(dataDir, 'device-secrets.json');
      const secrets = await readSecrets(secretsPath);
      const fleet = dataset ? datasetFleet(deviceCount, dataset.dir) : demoFleet(deviceCount);
      for (const device of fleet) {
        if (secrets[device.id] && (await findDevice(cloud.db, device.id))) continue;
        if (await findDevice(cloud.db, device.id)) {
          io.stderr(
            `start: device ${device.id} is registered but its secret is not in ${secretsPath}; skipping it\n`,
          );
          continue;
        }
        secrets[device.id] = await addDevice(cloud.db, device.id, device.channel);
      }
      await writeSecrets(secretsPath, secrets);
      const publicKeyFile = join(dataDir, 'cloud-signing-public.pem');
      await writeFile(publicKeyFile, (await loadOrCreateSigningKey(cloud.db)).publicKeyPem);
      const members = fleet
        .filter((d) => secrets[d.id])
        .map((device) => ({ device, secret: secrets[device.id]! }));
      // The devices run on this machine: they reach the broker at localhost, a name the certificate has.
      const running = startFleet(members, {
        broker: `${tls ? 'mqtts' : 'mqtt'}://${tls ? 'localhost' : '127.0.0.1'}:${cloud.mqttPort}`,
        ...(tls?.caFile ? { caFile: tls.caFile } : {}),
        publicKeyFile,
        stateDir: join(dataDir, 'devices'),
        speed,
        log: (line) => io.stderr(`${line}\n`),
      });
      stopping.unshift(running.stop);

      const tokenPath = join(dataDir, 'operator-token.json');
      const tokens = await readSecrets(tokenPath);
      tokens['operator'] ??= await createToken(cloud.db, 'operator', { label: 'start' });
      await writeSecrets(tokenPath, tokens);
      const local = tls ? 'localhost' : '127.0.0.1';
      const base = `${tls ? 'https' : 'http'}://${local}:${cloud.httpPort}`;
      const tlsLines = tls
        ? `  TLS        CA certificate ${tls.caFile ?? '(none given)'}: devices take it as --ca FILE, browsers may\n` +
          `             import it as a trusted authority; server key pin sha256/${spkiSha256(tls.tls.cert)}\n`
        : '  TLS        off (--insecure): device secrets and tokens cross the network in clear\n';
      io.stdout(
        `\nheartline is up in ${((Date.now() - started) / 1000).toFixed(0)} s:\n` +
          `  dashboard  ${base}/\n` +
          `  browser    ${base}/device/ (a browser as a device: MQTT over WebSocket at ${tls ? 'wss' : 'ws'}://${local}:${cloud.httpPort}/mqtt)\n` +
          `  API        ${base}/api/v1 (OpenAPI: ${base}/api/v1/openapi.json)\n` +
          `  broker     ${tls ? 'mqtts' : 'mqtt'}://${local}:${cloud.mqttPort}\n` +
          tlsLines +
          `  devices    ${members.map((m) => `${m.device.id} (${m.device.describe})`).join(', ') || 'none'}\n` +
          `  operator   Authorization: Bearer ${tokens['operator']}\n` +
          `  try        curl -H 'Authorization: Bearer ${tokens['operator']}' ${base}/api/v1/devices\n` +
          'Ctrl-C stops everything.\n',
      );

      const exitAfter =
        values['exit-after'] === undefined
          ? undefined
          : numberOption('--exit-after', values['exit-after'], 0);
      await new Promise<void>((done) => {
        const finish = () => {
          process.off('SIGINT', finish);
          process.off('SIGTERM', finish);
          done();
        };
        process.once('SIGINT', finish);
        process.once('SIGTERM', finish);
        if (exitAfter !== undefined) setTimeout(finish, exitAfter * 1000);
      });
      io.stdout('stopping: devices, broker, ingest, database…\n');
      const stats = cloud.ingest.stats();
      await stop();
      io.stdout(`stopped; ingest: ${JSON.stringify(stats)}\n`);
      return 0;
    } catch (error) {
      await stop();
      throw error;
    }
  },
};
