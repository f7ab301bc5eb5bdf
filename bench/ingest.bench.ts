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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDevice,
  type Cloud,
  EcgVectorIndex,
  type EmbeddingRow,
  ensureLocalCa,
  insertEmbeddings,
  loadReleaseModel,
  openStorage,
  registerReleaseDir,
  startCloud,
} from '@heartline/cloud';
import { decodeEmbeddingMessage, encodeEmbeddingMessage } from '@heartline/contract';
import { startModuleWorker } from '@heartline/node-io';
import { trainRelease } from '@heartline/trainer';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { ClusteredVectors } from './clustered-vectors.js';
import type { DeviceCommand, DeviceReply } from './ingest-devices.worker.js';

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

/** The device worker, started from its source as the cloud's and trainer's workers are in development. */
function startDevices(): { send(command: DeviceCommand): Promise<number[]>; stop(): Promise<number> } {
  const worker = startModuleWorker(import.meta.url, 'ingest-devices.worker');
  return {
    send(command) {
      return new Promise((resolve, reject) => {
        const onMessage = (reply: DeviceReply | { kind: 'error'; message: string }) => {
          worker.off('error', reject);
          if (reply.kind === 'done') resolve(reply.sentAt);
          else reject(new Error(`devices: ${reply.message}`));
        };
        worker.once('message', onMessage);
        worker.once('error', reject);
        worker.postMessage(command);
      });
    },
    stop: () => worker.terminate(),
  };
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

/** `pnpm bench ingest`. */
export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  description:
    'embeddings device → aedes → cloud ingest → PGlite: stage costs, throughput and p99 enqueue-to-stored at 1k/s',
  async run(progress) {
    const work = await mkdtemp(join(tmpdir(), 'hl-bench-ingest-'));
    let cloud: Cloud | undefined;
    const devices = startDevices();
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

      const steadyFrom = 2 * PER_DEVICE;
      const storedAt = new Map<number, number>();
      // HEARTLINE_BENCH_TLS=1: the devices connect over MQTTS to the cloud's TLS listener (a local CA).
      const tls =
        process.env['HEARTLINE_BENCH_TLS'] === '1' ? await ensureLocalCa(join(work, 'tls')) : undefined;
      if (tls) progress('TLS: devices over mqtts:// verified against a local CA');
      cloud = await startCloud({
        mqttPort: 0,
        ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
        releaseDirs: [releaseDir],
        log: () => undefined,
        onStored(rows) {
          const now = performance.timeOrigin + performance.now();
          for (const r of rows) if (r.deviceId === 'bench-0' && r.seq >= steadyFrom) storedAt.set(r.seq, now);
        },
      });
      const c = cloud;
      const [release] = await c.releases.live();
      const deviceList = [];
      for (let d = 0; d < DEVICES; d++) {
        const id = `bench-${d}`;
        deviceList.push({ id, password: await addDevice(c.db, id) });
      }
      await devices.send({
        kind: 'connect',
        url: tls ? `mqtts://localhost:${c.mqttPort}` : `mqtt://127.0.0.1:${c.mqttPort}`,
        ...(tls ? { ca: tls.ca } : {}),
        devices: deviceList,
        release: release!.id,
        ecgDim: release!.ecgDim,
      });

      const burst = async (fromSeq: number): Promise<number> => {
        const before = c.ingest.stats().stored;
        const started = performance.now();
        await devices.send({ kind: 'burst', fromSeq, count: PER_DEVICE });
        await until(() => c.ingest.stats().stored - before >= DEVICES * PER_DEVICE, 600_000);
        return (DEVICES * PER_DEVICE) / ((performance.now() - started) / 1000);
      };

      progress(`throughput: ${DEVICES} devices × ${PER_DEVICE} messages`);
      const burstStart = performance.now();
      const throughput = await burst(0);
      progress(`  ${Math.round(throughput)} embeddings/s stored`);
      // Every row searchable (in the index's tail) and then in its graph.
      await c.ecgIndex?.follow();
      const searchableSeconds = (performance.now() - burstStart) / 1000;
      let graphSeconds = Number.NaN;
      for (;;) {
        const stats = (await c.ecgIndex?.stats()) ?? [];
        if (stats.every((s) => s.pending === 0)) {
          graphSeconds = (performance.now() - burstStart) / 1000;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      progress(
        `  all searchable ${searchableSeconds.toFixed(1)} s after the burst began, in the graph after ${graphSeconds.toFixed(1)} s`,
      );

      const steady = async (fromSeq: number): Promise<number[]> => {
        progress(`latency: ${STEADY_RATE} messages/s for ${STEADY_COUNT / STEADY_RATE} s`);
        const sentAt = await devices.send({
          kind: 'steady',
          fromSeq,
          count: STEADY_COUNT,
          perSecond: STEADY_RATE,
        });
        await until(() => sentAt.every((_, i) => storedAt.has(fromSeq + i)), 600_000);
        return sentAt.map((t, i) => storedAt.get(fromSeq + i)! - t);
      };
      const latencies = await steady(steadyFrom);
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

      const via = tls ? ' (MQTTS)' : '';
      figures.push(
        {
          name: `ingest throughput (stored)${via}`,
          value: throughput,
          unit: 'embeddings/s',
          goal: { value: 10_000, better: 'higher' },
        },
        {
          name: `burst of ${DEVICES * PER_DEVICE}: all searchable after`,
          value: searchableSeconds,
          unit: 's',
        },
        {
          name: `burst of ${DEVICES * PER_DEVICE}: all in the HNSW graph after`,
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
      );
      return figures;
    } finally {
      await devices.stop();
      await cloud?.close();
      await rm(work, { recursive: true, force: true });
    }
  },
};
