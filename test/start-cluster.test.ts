/**
 * `heartline start --cluster 2` as a user runs it: PostgreSQL and mosquitto from the system, two cloud
 * processes sharing them, the simulated devices on mosquitto. Both instances must be live and ready, the
 * devices' embeddings stored (seen from either instance), and SIGTERM must end every process it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresForTest } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchTrusting } from './support/https-fetch.js';
import { hasStackTrace, repoRoot } from './support/run-heartline.js';

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];
/** The synthetic dataset's size: its ECGs are imported as cases, so device embeddings come on top. */
const N = 6;

async function findMosquitto(): Promise<string | undefined> {
  for (const path of MOSQUITTO)
    if (
      await readFile(path).then(
        () => true,
        () => false,
      )
    )
      return path;
  return undefined;
}

/** Whether `pid` is a live process (a zombie waiting for its parent to reap it has ended). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && !/^\d+ \(.*\) Z/.test(stat);
}

/** Processes whose command line names `text` (every child of the cluster names its data directory). */
async function processesNaming(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(`${entry}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

const postgres = postgresForTest();
const mosquitto = await findMosquitto();
if (!mosquitto) {
  if (process.env['CI'] === 'true')
    throw new Error('CI: mosquitto is not installed; the cluster start test must not be skipped here');
  console.warn(
    `skipping the start --cluster test: mosquitto is not installed (looked in ${MOSQUITTO.join(', ')})`,
  );
}

describe.skipIf(!postgres || !mosquitto)('heartline start --cluster 2', () => {
  let work: string;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  const output = () => `--- stdout\n${stdout}\n--- stderr (tail)\n${stderr.slice(-8000)}`;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hl-start-cluster-'));
    // As root the database runs as 'postgres', who must be able to pass through this folder.
    await chmod(work, 0o711);
  });
  afterAll(async () => {
    if (child?.exitCode === null && child.pid) child.kill('SIGKILL');
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('brings up two instances on PostgreSQL and mosquitto, stores the devices’ embeddings and stops every process on SIGTERM', async () => {
    const data = join(work, 'data');
    child = spawn(
      process.execPath,
      [
        ...['apps/cli/dist/main.js', 'start', '--cluster', '2', '--data', data],
        ...['--preset', 'tiny', '--n', String(N), '--seed', '2', '--devices', '2'],
        ...['--port', '0', '--mqtt-port', '0', '--speed', '20'],
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_FORMAT: 'json' } },
    );
    const exited = new Promise<number | string>((done) =>
      child!.once('exit', (code, signal) => done(signal ?? code ?? 0)),
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await vi.waitFor(
      () => {
        if (child!.exitCode !== null) throw new Error(`start exited early\n${output()}`);
        if (!stdout.includes('Ctrl-C stops everything.')) throw new Error(`not up yet\n${output()}`);
      },
      { timeout: 150_000, interval: 250 },
    );

    const instances = [...stdout.matchAll(/^ {2}instance (\d) (https:\/\/\S+)\/api\/v1 \(pid (\d+)/gm)].map(
      (m) => ({ index: Number(m[1]), api: `${m[2]}/api/v1`, pid: Number(m[3]) }),
    );
    expect(
      instances.map((i) => i.index),
      output(),
    ).toEqual([0, 1]);
    const brokerPid = Number(/^ {2}broker .*\(pid (\d+)\)/m.exec(stdout)?.[1]);
    const postgresPid = Number(/^ {2}database {3}PostgreSQL \S+ on \S+ \(pid (\d+)/m.exec(stdout)?.[1]);
    const token = /operator\s+Authorization: Bearer (\S+)/.exec(stdout)?.[1];
    const caFile = /TLS\s+CA certificate (\S+):/.exec(stdout)?.[1];
    expect(
      [brokerPid, postgresPid].every((pid) => pid > 0),
      output(),
    ).toBe(true);
    expect(token && caFile, output()).toBeTruthy();
    const fetch = fetchTrusting(await readFile(caFile!, 'utf8'));
    const get = async <T>(url: string) => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as T };
    };

    for (const instance of instances) {
      const health = await get<{ database: string; pgvector: boolean }>(`${instance.api}/health`);
      expect(health.status).toBe(200);
      expect(health.body.database).toBe('postgres');
      expect((await get(`${instance.api}/ready`)).status).toBe(200);
    }
    // The devices' windows are stored (on top of the dataset's imported ECGs), whichever instance took
    // them, and both instances read the same table.
    await vi.waitFor(
      async () => {
        const stats = await Promise.all(
          instances.map((i) => get<{ embeddings: number; ingest: { stored: number } }>(`${i.api}/stats`)),
        );
        const fromDevices = stats.reduce((sum, s) => sum + s.body.ingest.stored, 0);
        if (fromDevices < 4 || stats.some((s) => s.body.embeddings < N + 4))
          throw new Error(`stats ${JSON.stringify(stats.map((s) => s.body))}\n${output()}`);
      },
      { timeout: 90_000, interval: 1000 },
    );

    child.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 60_000);
    expect(await exited, output()).toBe(0);
    clearTimeout(timer);
    expect(stdout).toMatch(/stopped; embeddings stored: \d+/);
    // pg_ctl stop returns once the server removed its pid file, a moment before the process ends.
    for (const pid of [...instances.map((i) => i.pid), brokerPid, postgresPid])
      await expect.poll(() => alive(pid), { timeout: 5000, message: `pid ${pid} still runs` }).toBe(false);
    // Nothing it started (instances, mosquitto, PostgreSQL, devices) is left: each names the data folder.
    expect(await processesNaming(data)).toEqual([]);
    expect(hasStackTrace(stderr), output()).toBe(false);
  }, 240_000);
});
