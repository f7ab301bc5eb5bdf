/**
 * Faults with real processes: the cloud (`heartline cloud`: embedded aedes broker + PGlite in a data
 * directory) is SIGKILLed mid-ingest and started again on the same data directory and ports, while a
 * device process keeps encoding into its disk queue and replays it once the broker is back. Every
 * (device, seq) the device assigned must be stored exactly once, and the database must open cleanly after
 * the kill.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@heartline/cloud';
import { freePort } from '@heartline/node-io';
import { generateSigningKeys, makeRelease, type ReleaseFixture } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queuedOffline, spawnDevice } from './device-harness.js';
import { repoRoot, runHeartline } from './support/run-heartline.js';

const WINDOWS = 40;
let work: string;
let release: ReleaseFixture;
let publicKeyFile: string;
let cloud: ChildProcess | undefined;
let cloudOutput = '';

function startCloudProcess(dataDir: string, httpPort: number, mqttPort: number): ChildProcess {
  const child = spawn(
    'pnpm',
    [
      ...['--silent', 'heartline', 'cloud', '--data', dataDir, '--port', String(httpPort)],
      ...['--mqtt-port', String(mqttPort), '--release', release.dir],
    ],
    { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => {
    cloudOutput += d;
  });
  child.stderr!.on('data', (d) => {
    cloudOutput += d;
  });
  return child;
}

/** Stored embeddings as counted by the running cloud's API (undefined while it is down). */
async function storedCount(httpPort: number, token: string): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/stats`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) return undefined;
    return ((await res.json()) as { embeddings: number }).embeddings;
  } catch {
    return undefined;
  }
}

/** Waits until the running cloud counts at least `n` stored embeddings; fails with the cloud's output. */
async function storedAtLeast(n: number, httpPort: number, token: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const stored = await storedCount(httpPort, token);
      expect(
        stored,
        `${n} stored embeddings; the cloud said:\n${cloudOutput.slice(-3000)}`,
      ).toBeGreaterThanOrEqual(n);
    },
    { timeout: 90_000, interval: 200 },
  );
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    process.kill(-child.pid!, signal);
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-faults-'));
  const keys = generateSigningKeys();
  release = await makeRelease(join(work, 'release'), 1, keys.privateKeyPem);
  publicKeyFile = join(work, 'release-key.pub.pem');
  await writeFile(publicKeyFile, keys.publicKeyPem);
}, 240_000);

afterAll(async () => {
  if (cloud) await killGroup(cloud, 'SIGKILL');
  if (work) await rm(work, { recursive: true, force: true });
});

describe('cloud SIGKILL and restart mid-ingest', () => {
  it('stores every (device, seq) exactly once and reopens its database after the kill', async () => {
    const data = join(work, 'cloud');
    // Credentials are issued while the cloud is stopped (the embedded database has one writer).
    const added = await runHeartline(['device-add', '--id', 'dev-fault', '--data', data]);
    expect(added.code, added.stderr).toBe(0);
    const secret = added.stdout.trim();
    const token = (await runHeartline(['token', '--role', 'viewer', '--data', data])).stdout.trim();
    const [httpPort, mqttPort] = [await freePort(), await freePort()];

    cloud = startCloudProcess(data, httpPort, mqttPort);
    await storedAtLeast(0, httpPort, token); // the cloud answers
    const device = spawnDevice([
      ...['--broker', `mqtt://127.0.0.1:${mqttPort}`, '--id', 'dev-fault', '--secret', secret],
      ...['--source', 'synthetic:9', '--realtime', '--speed', '20', '--windows', String(WINDOWS)],
      ...['--public-key', publicKeyFile, '--state', join(work, 'device-state')],
      ...['--model', join(release.dir, 'ecg-encoder.onnx'), '--max-queue-bytes', '10000000'],
    ]);
    try {
      await storedAtLeast(8, httpPort, token);
      console.log(`dev-fault: ${await storedCount(httpPort, token)} stored; SIGKILL to the cloud`);
      await killGroup(cloud, 'SIGKILL');
      const before = cloudOutput.length;
      const mark = device.output().length;
      // The device keeps encoding into its disk queue while broker and cloud are gone: wait until it says so.
      await expect
        .poll(() => queuedOffline(device, mark), {
          timeout: 30_000,
          message: '4 windows queued while offline',
        })
        .toBeGreaterThanOrEqual(4);
      cloud = startCloudProcess(data, httpPort, mqttPort);
      console.log('dev-fault: cloud restarted');
      expect(await device.exited, device.output()).toBe(0);
      console.log('dev-fault: device done');
      await storedAtLeast(WINDOWS, httpPort, token);
      expect(cloudOutput.slice(before)).not.toMatch(/corrupt|PANIC/i);
    } finally {
      device.kill();
      await killGroup(cloud, 'SIGTERM');
    }
    const db = await openStorage({ dataDir: data });
    try {
      const { rows } = await db.query<{ seq: number; copies: number }>(
        `SELECT seq::float8 AS seq, count(*)::float8 AS copies FROM embeddings
         WHERE device_id = 'dev-fault' GROUP BY seq ORDER BY seq`,
      );
      console.log(
        `dev-fault: ${rows.length} seqs stored after a cloud SIGKILL; max copies ${Math.max(...rows.map((r) => r.copies))}`,
      );
      expect(rows.map((r) => r.seq)).toEqual([...Array(WINDOWS).keys()]);
      expect(rows.every((r) => r.copies === 1)).toBe(true);
    } finally {
      await db.close();
    }
  }, 400_000);
});
