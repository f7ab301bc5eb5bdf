/**
 * Beyond one machine, with real engines and real processes: Debian's PostgreSQL 15 (no pgvector) and
 * mosquitto with the generated configuration, three `heartline cloud` processes sharing both (ingest
 * split by `$share` subscriptions), four `heartline device` processes. One instance is SIGKILLed
 * mid-stream and started again 2 s later on the same port (its broker session keeps what it had not
 * acknowledged). Every (device, seq) must be stored exactly once and be searchable from every instance;
 * a release rolled out through one instance must reach the devices, as every other instance sees; a job
 * submitted twice (to two instances, one idempotency key) must run once.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, issueToken, listDevices, openStorage, writeMosquittoFiles } from '@heartline/cloud';
import { freePort } from '@heartline/node-io';
import {
  generateSigningKeys,
  MOSQUITTO,
  makeRelease,
  type PostgresServer,
  postgresForTest,
  type ReleaseFixture,
  startMosquitto,
  startPostgresServer,
} from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DeviceProcess, spawnDevice } from './device-harness.js';
import { repoRoot } from './support/run-heartline.js';

const INSTANCES = 3;
const DEVICES = ['dev-a', 'dev-b', 'dev-c', 'dev-d'] as const;
/** Twins replay the same synthetic source, so each window has an identical twin on the other device. */
const SEED_OF: Record<string, number> = { 'dev-a': 7, 'dev-b': 7, 'dev-c': 8, 'dev-d': 8 };
const TWIN_OF: Record<string, string> = {
  'dev-a': 'dev-b',
  'dev-b': 'dev-a',
  'dev-c': 'dev-d',
  'dev-d': 'dev-c',
};
const WINDOWS = 90;
const CLOUD_PASSWORD = 'cluster-cloud-password';

/** One `heartline cloud` process of the cluster. */
interface Instance {
  readonly index: number;
  readonly port: number;
  readonly dataDir: string;
  child: ChildProcess | undefined;
  output: string;
}

let work: string;
let postgres: PostgresServer | undefined;
let databaseUrl: string;
let broker: ChildProcess | undefined;
let mqttPort: number;
let releaseA: ReleaseFixture;
let releaseB: ReleaseFixture;
let token: string;
let publicKeyFile: string;
const secrets = new Map<string, string>();
const instances: Instance[] = [];
const devices: DeviceProcess[] = [];

function startInstance(instance: Instance): void {
  const child = spawn(
    'pnpm',
    [
      ...['--silent', 'heartline', 'cloud', '--data', instance.dataDir, '--port', String(instance.port)],
      ...['--release', releaseA.dir, '--release', releaseB.dir],
    ],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: databaseUrl, MQTT_URL: `mqtt://127.0.0.1:${mqttPort}` },
    },
  );
  const keep = (d: Buffer) => {
    instance.output = (instance.output + d).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  instance.child = child;
}

function killInstance(instance: Instance): Promise<void> {
  const child = instance.child;
  instance.child = undefined;
  if (!child?.pid || child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  process.kill(-child.pid, 'SIGKILL');
  return exited;
}

async function api<T>(
  instance: Instance,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${instance.port}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
}

/** Resolves once the instance answers `/ready` with 200; fails with its output after the timeout. */
async function ready(instance: Instance): Promise<void> {
  try {
    await vi.waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${instance.port}/api/v1/ready`);
        if (res.status !== 200) throw new Error(`/ready ${res.status}: ${await res.text()}`);
      },
      { timeout: 120_000, interval: 250 },
    );
  } catch (error) {
    throw new Error(`instance ${instance.index} not ready: ${(error as Error).message}\n${instance.output}`);
  }
}

/** Polls `done` until it answers true; on timeout fails with every instance's and device's output. */
async function waitWithOutputs(done: () => Promise<boolean>, timeout: number, running: DeviceProcess[] = []) {
  try {
    await vi.waitFor(
      async () => {
        if (!(await done())) throw new Error('not yet');
      },
      { timeout, interval: 250 },
    );
  } catch {
    const deviceOutputs = running.map((d, i) => `device ${i}:\n${d.output().slice(-1500)}`).join('\n');
    const rows = await storedRows();
    const missing = DEVICES.map(
      (id) =>
        `${id}: ${Array.from({ length: WINDOWS }, (_, s) => s).filter((s) => !rows.some((r) => r.device === id && r.seq === s))}`,
    );
    const db = await openStorage({ databaseUrl });
    const refused = await db
      .query(`SELECT reason, detail, device_id FROM ingest_dead_letters ORDER BY id DESC LIMIT 20`)
      .finally(() => db.close());
    throw new Error(
      `timed out after ${timeout} ms; ${rows.length} stored, missing ${missing.join('; ')}; dead letters ${JSON.stringify(refused.rows)}\n${instanceOutputs()}\n${deviceOutputs}`,
    );
  }
}

/** The last lines of every instance's output, for failure messages. */
function instanceOutputs(): string {
  return instances.map((i) => `instance ${i.index}:\n${i.output.slice(-2000)}`).join('\n');
}

async function storedRows(): Promise<{ device: string; seq: number; n: number }[]> {
  const db = await openStorage({ databaseUrl });
  try {
    const { rows } = await db.query<{ device: string; seq: number; n: number }>(
      `SELECT device_id AS device, seq::int AS seq, count(*)::int AS n FROM embeddings
       WHERE device_id = ANY($1::text[]) GROUP BY 1, 2 ORDER BY 1, 2`,
      [[...DEVICES]],
    );
    return rows;
  } finally {
    await db.close();
  }
}

function startDevice(id: string, windows: number, release: ReleaseFixture): DeviceProcess {
  const device = spawnDevice([
    ...['--broker', `mqtt://127.0.0.1:${mqttPort}`, '--id', id, `--secret=${secrets.get(id)}`],
    ...['--mqtt-version', '5', '--source', `synthetic:${SEED_OF[id]}`, '--realtime', '--speed', '60'],
    ...['--windows', String(windows), '--public-key', publicKeyFile, '--state', join(work, `${id}-state`)],
    ...['--model', join(release.dir, 'ecg-encoder.onnx')],
  ]);
  devices.push(device);
  return device;
}

const postgresInstalled = postgresForTest() !== undefined;
if (!existsSync(MOSQUITTO)) console.warn(`skipping the cluster test: ${MOSQUITTO} is not installed`);

describe.skipIf(!existsSync(MOSQUITTO) || !postgresInstalled)(
  'three cloud instances on PostgreSQL 15 and mosquitto, four devices',
  () => {
    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'hl-cluster-'));
      const keys = generateSigningKeys();
      releaseA = await makeRelease(join(work, 'release-a'), 1, keys.privateKeyPem);
      releaseB = await makeRelease(join(work, 'release-b'), 2, keys.privateKeyPem);
      postgres = await startPostgresServer();
      databaseUrl = postgres.url;
      const setup = await openStorage({ databaseUrl });
      try {
        for (const id of DEVICES) secrets.set(id, await addDevice(setup, id));
        token = (await issueToken(setup, 'operator', { label: 'cluster test' })).token;
        mqttPort = await freePort();
        await writeMosquittoFiles(join(work, 'mosquitto'), {
          port: mqttPort,
          cloudPassword: CLOUD_PASSWORD,
          devices: await listDevices(setup),
        });
      } finally {
        await setup.close();
      }
      broker = await startMosquitto(join(work, 'mosquitto'), mqttPort, CLOUD_PASSWORD);
      for (let index = 0; index < INSTANCES; index++) {
        const dataDir = join(work, `cloud-${index}`);
        await mkdir(dataDir, { recursive: true, mode: 0o700 });
        // Every instance logs in to mosquitto as the one user 'cloud'.
        await writeFile(join(dataDir, 'mqtt-cloud.secret'), `${CLOUD_PASSWORD}\n`, { mode: 0o600 });
        // The key that signed the devices' provisioned model: the first instance imports it into the
        // database, the others must sign with it too.
        if (index === 0) {
          await writeFile(join(dataDir, 'signing-key.pem'), keys.privateKeyPem, { mode: 0o600 });
          await writeFile(join(dataDir, 'signing-key.pub.pem'), keys.publicKeyPem);
        }
        instances.push({ index, port: await freePort(), dataDir, child: undefined, output: '' });
      }
      // The first one migrates alone; then the others start together.
      startInstance(instances[0]!);
      await ready(instances[0]!);
      for (const instance of instances.slice(1)) startInstance(instance);
      for (const instance of instances.slice(1)) await ready(instance);
      const keysSeen = await Promise.all(
        instances.map(
          async (i) => (await api<{ publicKeyPem: string }>(i, '/signing-key')).body.publicKeyPem,
        ),
      );
      // One signing key for the whole cluster, whichever instance answers.
      expect(new Set(keysSeen)).toEqual(new Set([keys.publicKeyPem]));
      publicKeyFile = join(work, 'signing-key.pub.pem');
      await writeFile(publicKeyFile, keysSeen[0]!);
    }, 300_000);

    afterAll(async () => {
      for (const device of devices) device.kill();
      for (const instance of instances) await killInstance(instance);
      broker?.kill('SIGKILL');
      await postgres?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('stores every (device, seq) exactly once with an instance SIGKILLed mid-stream and restarted', async () => {
      const running = DEVICES.map((id) => startDevice(id, WINDOWS, releaseA));
      // Mid-stream: a third of everything stored.
      await waitWithOutputs(
        async () => (await storedRows()).length >= (WINDOWS * DEVICES.length) / 3,
        120_000,
        running,
      );
      const victim = instances[1]!;
      await killInstance(victim);
      const killedAt = Date.now();
      await expect
        .poll(() => Date.now() - killedAt, { interval: 100, timeout: 5000 })
        .toBeGreaterThanOrEqual(2000);
      startInstance(victim);
      await ready(victim);
      // Each device exits 0 once the broker acknowledged every window it encoded.
      for (const device of running) expect(await device.exited, device.output().slice(-3000)).toBe(0);
      await waitWithOutputs(async () => (await storedRows()).length === WINDOWS * DEVICES.length, 60_000);
      const rows = await storedRows();
      expect(rows.every((r) => r.n === 1)).toBe(true);
      for (const id of DEVICES) {
        expect(rows.filter((r) => r.device === id).map((r) => r.seq)).toEqual(
          Array.from({ length: WINDOWS }, (_, i) => i),
        );
      }
      // Every instance took a share of the embeddings before the kill or after.
      const stats = await Promise.all(
        instances.map(
          async (i) => (await api<{ ingest: { stored: number } }>(i, '/stats')).body.ingest.stored,
        ),
      );
      expect(stats.filter((s) => s > 0).length).toBeGreaterThanOrEqual(2);

      // Searchable from every instance within 2 s of being stored: each window's twin (the same
      // synthetic window on the paired device) is its most similar case, on every instance.
      const storedAt = Date.now();
      for (const instance of instances) {
        for (const id of DEVICES) {
          for (const seq of [0, Math.floor(WINDOWS / 2), WINDOWS - 1]) {
            const { status, body } = await api<{ hits: { deviceId: string; seq: number; score: number }[] }>(
              instance,
              `/cases/${id}/${seq}/similar?k=1`,
            );
            expect(status).toBe(200);
            expect(body.hits[0]).toMatchObject({ deviceId: TWIN_OF[id], seq });
            expect(body.hits[0]!.score).toBeCloseTo(1, 4);
          }
        }
      }
      expect(Date.now() - storedAt).toBeLessThan(2000);
    }, 600_000);

    it('a job submitted to two instances with one idempotency key runs once', async () => {
      const headers = { 'idempotency-key': 'cluster-test-job-1' };
      const body = { kind: 'pretrain', preset: 'tiny', steps: 2 };
      const [first, second] = await Promise.all([
        api<{ id: string }>(instances[0]!, '/jobs', { method: 'POST', body, headers }),
        api<{ id: string }>(instances[2]!, '/jobs', { method: 'POST', body, headers }),
      ]);
      expect([first.status, second.status].every((s) => s === 201 || s === 202 || s === 200)).toBe(true);
      expect(second.body.id).toBe(first.body.id);
      // Followed through the third instance, which took no part in the submission.
      await expect
        .poll(
          async () => (await api<{ status: string }>(instances[1]!, `/jobs/${first.body.id}`)).body.status,
          { timeout: 240_000, interval: 500 },
        )
        .toBe('succeeded');
      const db = await openStorage({ databaseUrl });
      try {
        const { rows } = await db.query<{ n: number; attempts: number; runners: number }>(
          `SELECT count(*)::int AS n, max(attempts)::int AS attempts, count(DISTINCT claimed_by)::int AS runners
           FROM jobs WHERE idempotency_key = $1`,
          ['cluster-test-job-1'],
        );
        expect(rows[0]).toEqual({ n: 1, attempts: 1, runners: 1 });
      } finally {
        await db.close();
      }
    }, 300_000);

    it('a release rolled out through one instance reaches the devices, as every other instance sees', async () => {
      const running = DEVICES.map((id) => startDevice(id, 100_000, releaseA));
      const idB = releaseB.release;
      const rollout = await api(instances[0]!, `/releases/${encodeURIComponent(idB)}/rollout`, {
        method: 'POST',
        body: { channel: 'stable' },
      });
      expect(rollout.status, JSON.stringify(rollout.body)).toBeLessThan(300);
      for (const instance of instances.slice(1)) {
        await expect
          .poll(
            async () => {
              const { body } = await api<{ devices: { id: string; release?: string | null }[] }>(
                instance,
                '/fleet',
              );
              return DEVICES.filter((id) => body.devices.find((d) => d.id === id)?.release === idB).length;
            },
            { timeout: 120_000, interval: 500 },
          )
          .toBe(DEVICES.length);
      }
      for (const device of running) device.kill();
    }, 300_000);
  },
);
