/**
 * Ingest device → broker → cloud → database. First where the time goes per 1,000 embeddings (CBOR
 * decode, shared projection, the batched INSERT, and the in-process vector index reading the new rows
 * back; for comparison the INSERT with a pgvector HNSW index in PGlite, as before the in-process index),
 * then the whole path: devices in a worker thread publishing QoS 1 to the embedded aedes broker of a
 * cloud with PGlite in memory; sustained throughput with several devices publishing as fast as the
 * broker takes them (and how long the vector index then takes to have every row in its graph), and
 * enqueue-to-stored latency at a steady 1,000 messages/s. The release is a briefly trained one at the
 * default model dimensions (h 64-d → z 128-d).
 */

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDevice,
  type Cloud,
  EcgVectorIndex,
  type EmbeddingRow,
  ensureLocalCa,
  insertEmbeddings,
  listDevices,
  loadReleaseModel,
  openStorage,
  registerReleaseDir,
  startCloud,
  writeMosquittoFiles,
} from '@heartline/cloud';
import { decodeEmbeddingMessage, encodeEmbeddingMessage } from '@heartline/contract';
import { freePort } from '@heartline/node-io';
import {
  MOSQUITTO,
  type PostgresServer,
  postgresUnavailableReason,
  startMosquitto,
  startPostgresServer,
} from '@heartline/test-support';
import { trainRelease } from '@heartline/trainer';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { ClusteredVectors } from './clustered-vectors.js';
import { startDevicesProcess } from './devices-process.js';
import { processTreeCpuMs } from './process-cpu.js';

const DEVICES = 8;
const PER_DEVICE = 5000;
const STEADY_RATE = 1000;
const STEADY_COUNT = 5000;
const STAGE_COUNT = 10_000;
const STAGE_BATCH = 1000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('ingest benchmark timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** ms per 1,000 embeddings of each ingest stage, measured apart on `STAGE_COUNT` messages. */
async function stageCosts(releaseDir: string, progress: (m: string) => void): Promise<BenchFigure[]> {
  const model = await loadReleaseModel(releaseDir);
  const generator = new ClusteredVectors({ dim: model.ecgDim, seed: 3 });
  const payloads = Array.from({ length: STAGE_COUNT }, (_, seq) => {
    const h = new Float32Array(model.ecgDim);
    generator.next(h);
    return encodeEmbeddingMessage({
      v: 1,
      deviceId: 'stage-0',
      seq,
      t0: 1_764_000_000_000 + seq * 10_000,
      release: model.id,
      leadMask: 0xfff,
      quality: 1,
      h,
    });
  });
  const per1k = (ms: number) => (ms / STAGE_COUNT) * 1000;
  let start = performance.now();
  const messages = payloads.map((p) => decodeEmbeddingMessage(p));
  const decodeMs = per1k(performance.now() - start);

  start = performance.now();
  const rows: EmbeddingRow[] = [];
  for (let s = 0; s < STAGE_COUNT; s += STAGE_BATCH) {
    const batch = messages.slice(s, s + STAGE_BATCH);
    const h = new Float32Array(batch.length * model.ecgDim);
    for (const [i, m] of batch.entries()) h.set(m.h, i * model.ecgDim);
    const z = model.projectEcg(h, batch.length);
    batch.forEach((m, i) => {
      rows.push({ ...m, z: z.subarray(i * model.sharedDim, (i + 1) * model.sharedDim) });
    });
  }
  const projectMs = per1k(performance.now() - start);

  const insertMs: Record<'hnsw' | 'none', number> = { hnsw: 0, none: 0 };
  let followMs = 0;
  for (const index of ['hnsw', 'none'] as const) {
    const db = await openStorage();
    try {
      const release = await registerReleaseDir(db, releaseDir);
      if (index === 'hnsw') {
        // What PGlite maintained on every insert before the in-process index.
        await db.exec(`CREATE INDEX bench_hnsw ON embeddings USING hnsw ((z::vector(${model.sharedDim})) vector_cosine_ops)
          WHERE release = '${release.id}'`);
      }
      const follower = index === 'none' ? await EcgVectorIndex.open({ db }) : undefined;
      await follower?.whenReady();
      start = performance.now();
      for (let s = 0; s < STAGE_COUNT; s += STAGE_BATCH)
        await insertEmbeddings(db, rows.slice(s, s + STAGE_BATCH));
      insertMs[index] = per1k(performance.now() - start);
      if (follower) {
        start = performance.now();
        await follower.follow();
        followMs = per1k(performance.now() - start);
        await follower.close();
      }
    } finally {
      await db.close();
    }
  }
  progress(
    `per 1,000 embeddings: decode ${decodeMs.toFixed(1)} ms, projection ${projectMs.toFixed(1)} ms, ` +
      `INSERT ${insertMs.none.toFixed(0)} ms (with a pgvector HNSW index ${insertMs.hnsw.toFixed(0)} ms), ` +
      `vector index reading them ${followMs.toFixed(1)} ms`,
  );
  return [
    { name: 'CBOR decode + validate fields, per 1,000', value: decodeMs, unit: 'ms' },
    { name: `shared projection (TF.js, ${STAGE_BATCH}-row matMul), per 1,000`, value: projectMs, unit: 'ms' },
    { name: `INSERT ${STAGE_BATCH}-row batches, per 1,000`, value: insertMs.none, unit: 'ms' },
    { name: 'in-process vector index: read back + hand over, per 1,000', value: followMs, unit: 'ms' },
    {
      name: `INSERT ${STAGE_BATCH}-row batches with a pgvector HNSW index in PGlite (before), per 1,000`,
      value: insertMs.hnsw,
      unit: 'ms',
    },
  ];
}

/** Where the whole path runs: the database, and how many cloud instances share it through which broker. */
type Target = 'pglite' | 'postgres' | 'postgres-2';
const TARGETS: readonly Target[] = ['pglite', 'postgres', 'postgres-2'];
const TARGET_LABEL: Record<Target, string> = {
  pglite: 'PGlite, 1 instance, embedded broker',
  postgres: 'PostgreSQL, 1 instance, embedded broker',
  'postgres-2': 'PostgreSQL, 2 instances, mosquitto $share',
};

/** The targets asked for (`HEARTLINE_BENCH_INGEST_TARGETS`, comma-separated), those this machine can run. */
function targets(progress: (m: string) => void): Target[] {
  const asked = (process.env['HEARTLINE_BENCH_INGEST_TARGETS'] ?? TARGETS.join(','))
    .split(',')
    .map((t) => t.trim()) as Target[];
  return asked.filter((t) => {
    if (!TARGETS.includes(t)) throw new Error(`unknown ingest target '${t}' (${TARGETS.join(', ')})`);
    if (t !== 'pglite' && postgresUnavailableReason() !== undefined) {
      progress(`skipping ${t}: ${postgresUnavailableReason()}`);
      return false;
    }
    if (t === 'postgres-2' && !existsSync(MOSQUITTO)) {
      progress(`skipping ${t}: ${MOSQUITTO} is not installed`);
      return false;
    }
    return true;
  });
}

/** The whole path on one target: burst throughput, CPU per stored embedding, latency at 1k/s. */
async function wholePath(
  target: Target,
  releaseDir: string,
  work: string,
  postgres: () => Promise<PostgresServer>,
  progress: (m: string) => void,
): Promise<BenchFigure[]> {
  const label = TARGET_LABEL[target];
  progress(`— ${label}`);
  const clouds: Cloud[] = [];
  const devices = startDevicesProcess();
  let broker: ChildProcess | undefined;
  let server: PostgresServer | undefined;
  try {
    const steadyFrom = 2 * PER_DEVICE;
    const storedAt = new Map<number, number>();
    const onStored = (rows: readonly { deviceId: string; seq: number }[]) => {
      const now = performance.timeOrigin + performance.now();
      for (const r of rows) if (r.deviceId === 'bench-0' && r.seq >= steadyFrom) storedAt.set(r.seq, now);
    };
    if (target !== 'pglite') server = await postgres();
    const databaseUrl = await server?.createDatabase(`ingest_${target.replace('-', '_')}`);
    // Devices are registered in the database the cloud uses; with mosquitto before it starts (it reads
    // their password hashes at start).
    const deviceList: { id: string; password: string }[] = [];
    const registerDevices = async (db: Parameters<typeof addDevice>[0]) => {
      for (let d = 0; d < DEVICES; d++) {
        const id = `bench-${d}`;
        deviceList.push({ id, password: await addDevice(db, id) });
      }
    };
    let url: string;
    // HEARTLINE_BENCH_TLS=1 (single instance): the devices connect over MQTTS to the cloud's TLS listener.
    const tls =
      process.env['HEARTLINE_BENCH_TLS'] === '1' && target !== 'postgres-2'
        ? await ensureLocalCa(join(work, 'tls'))
        : undefined;
    if (target === 'postgres-2') {
      const mqttPort = await freePort();
      const password = 'bench-cloud';
      const setup = await openStorage({ databaseUrl });
      try {
        await registerDevices(setup);
        await writeMosquittoFiles(join(work, 'mosquitto'), {
          port: mqttPort,
          cloudPassword: password,
          devices: await listDevices(setup),
        });
      } finally {
        await setup.close();
      }
      broker = await startMosquitto(join(work, 'mosquitto'), mqttPort, password);
      url = `mqtt://127.0.0.1:${mqttPort}`;
      for (let i = 0; i < 2; i++) {
        clouds.push(
          await startCloud({
            databaseUrl,
            mqttUrl: url,
            mqttPassword: password,
            instanceId: `bench-${i}`,
            releaseDirs: i === 0 ? [releaseDir] : [],
            log: () => undefined,
            onStored,
          }),
        );
      }
    } else {
      const cloud = await startCloud({
        databaseUrl,
        mqttPort: 0,
        ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
        releaseDirs: [releaseDir],
        log: () => undefined,
        onStored,
      });
      clouds.push(cloud);
      await registerDevices(cloud.db);
      url = tls ? `mqtts://localhost:${cloud.mqttPort}` : `mqtt://127.0.0.1:${cloud.mqttPort}`;
    }
    const [release] = await clouds[0]!.releases.live();
    await devices.send({
      kind: 'connect',
      url,
      ...(tls ? { ca: tls.ca } : {}),
      devices: deviceList,
      release: release!.id,
      ecgDim: release!.ecgDim,
    });
    const stored = () => clouds.reduce((n, c) => n + c.ingest.stats().stored, 0);
    const serverPid = server ? await postmasterPid(server) : undefined;
    const otherCpu = async () =>
      (serverPid === undefined ? 0 : ((await processTreeCpuMs(serverPid)) ?? 0)) +
      (broker?.pid === undefined ? 0 : ((await processTreeCpuMs(broker.pid)) ?? 0));

    progress(`throughput: ${DEVICES} devices × ${PER_DEVICE} messages`);
    const before = stored();
    const cpuBefore = process.cpuUsage();
    const otherBefore = await otherCpu();
    const burstStart = performance.now();
    await devices.send({ kind: 'burst', fromSeq: 0, count: PER_DEVICE });
    await until(() => stored() - before >= DEVICES * PER_DEVICE, 600_000);
    const seconds = (performance.now() - burstStart) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cloudCpuUs = (cpu.user + cpu.system) / (DEVICES * PER_DEVICE);
    const otherCpuUs = (((await otherCpu()) - otherBefore) * 1000) / (DEVICES * PER_DEVICE);
    const throughput = (DEVICES * PER_DEVICE) / seconds;
    progress(
      `  ${Math.round(throughput)} embeddings/s stored; CPU per stored embedding: cloud ${cloudCpuUs.toFixed(0)} µs` +
        (target === 'pglite'
          ? ''
          : `, database server${broker ? ' + mosquitto' : ''} ${otherCpuUs.toFixed(0)} µs`),
    );
    // Every row searchable (in the index's tail) and then in its graph, on every instance.
    for (const c of clouds) await c.ecgIndex?.follow();
    const searchableSeconds = (performance.now() - burstStart) / 1000;
    for (;;) {
      const pending = await Promise.all(
        clouds.map(async (c) => ((await c.ecgIndex?.stats()) ?? []).some((s) => s.pending > 0)),
      );
      if (!pending.some(Boolean)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const graphSeconds = (performance.now() - burstStart) / 1000;
    progress(
      `  all searchable ${searchableSeconds.toFixed(1)} s after the burst began, in the graph after ${graphSeconds.toFixed(1)} s`,
    );

    progress(`latency: ${STEADY_RATE} messages/s for ${STEADY_COUNT / STEADY_RATE} s`);
    const sentAt = await devices.send({
      kind: 'steady',
      fromSeq: steadyFrom,
      count: STEADY_COUNT,
      perSecond: STEADY_RATE,
    });
    await until(() => sentAt.every((_, i) => storedAt.has(steadyFrom + i)), 600_000);
    const latencies = sentAt.map((t, i) => storedAt.get(steadyFrom + i)! - t);
    progress(
      `  p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    const windows: string[] = [];
    for (let w = 0; w < latencies.length; w += 500) {
      const slice = latencies.slice(w, w + 500);
      windows.push(
        `${percentile(slice, 50).toFixed(0)}/${percentile(slice, 99).toFixed(0)}/${Math.max(...slice).toFixed(0)}`,
      );
    }
    progress(`  p50/p99/max per 500 messages (ms): ${windows.join(' ')}`);
    await devices.send({ kind: 'close' });
    const via = `${tls ? ', MQTTS' : ''} [${label}]`;
    const figures: BenchFigure[] = [
      {
        name: `ingest throughput (stored)${via}`,
        value: throughput,
        unit: 'embeddings/s',
        goal: { value: 10_000, better: 'higher' },
      },
      { name: `cloud CPU per stored embedding, all threads${via}`, value: cloudCpuUs, unit: 'µs' },
      {
        name: `burst of ${DEVICES * PER_DEVICE}: all searchable after${via}`,
        value: searchableSeconds,
        unit: 's',
      },
      {
        name: `burst of ${DEVICES * PER_DEVICE}: all in the HNSW graph after${via}`,
        value: graphSeconds,
        unit: 's',
      },
      { name: `enqueue-to-stored p50 at 1k/s${via}`, value: percentile(latencies, 50), unit: 'ms' },
      {
        name: `enqueue-to-stored p99 at 1k/s${via}`,
        value: percentile(latencies, 99),
        unit: 'ms',
        goal: { value: 50, better: 'lower' },
      },
    ];
    if (target !== 'pglite')
      figures.splice(2, 0, {
        name: `database server${broker ? ' + mosquitto' : ''} CPU per stored embedding${via}`,
        value: otherCpuUs,
        unit: 'µs',
      });
    return figures;
  } finally {
    await devices.stop();
    for (const c of clouds) await c.close();
    broker?.kill('SIGTERM');
  }
}

/** The server's postmaster pid, first line of `postmaster.pid` in its data folder. */
async function postmasterPid(server: PostgresServer): Promise<number | undefined> {
  for (const candidate of [join(server.dir, 'data', 'postmaster.pid'), join(server.dir, 'postmaster.pid')]) {
    try {
      return Number((await readFile(candidate, 'utf8')).split('\n')[0]);
    } catch {
      // Not this layout.
    }
  }
  return undefined;
}

/** `pnpm bench ingest`. */
export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  description:
    'embeddings device → broker → cloud ingest → database (PGlite; PostgreSQL with 1 and 2 instances): stage costs, throughput, CPU per embedding and p99 enqueue-to-stored at 1k/s',
  async run(progress) {
    const work = await mkdtemp(join(tmpdir(), 'hl-bench-ingest-'));
    let server: Promise<PostgresServer> | undefined;
    try {
      progress('training a brief release at the default dimensions for the shared projection');
      const releaseDir = join(work, 'release');
      await trainRelease({
        out: releaseDir,
        preset: 'demo',
        steps: 1,
        synthetic: 64,
        workers: 1,
        dataDirs: [],
        pairedReports: [],
      });
      const figures = await stageCosts(releaseDir, progress);
      for (const target of targets(progress)) {
        figures.push(
          ...(await wholePath(target, releaseDir, work, () => (server ??= startPostgresServer()), progress)),
        );
      }
      return figures;
    } finally {
      if (server) await (await server).stop();
      await rm(work, { recursive: true, force: true });
    }
  },
};
