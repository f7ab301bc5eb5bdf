/**
 * Ingest device → broker → cloud → database: sustained throughput with several devices publishing QoS 1
 * as fast as the broker takes it, and enqueue-to-stored latency at a steady 1,000 messages/s. Embedded
 * aedes and PGlite in memory, a tiny trained release doing the shared projection.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, countEmbeddings, startCloud } from '@heartline/cloud';
import { encodeEmbeddingMessage } from '@heartline/model/wire';
import { trainRelease } from '@heartline/trainer';
import mqtt, { type MqttClient } from 'mqtt';
import type { BenchFigure, Benchmark } from './benchmark.js';

const DEVICES = 8;
const PER_DEVICE = 2500;

function payloads(deviceId: string, release: string, dim: number, from: number, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const h = new Float32Array(dim);
    for (let i = 0; i < dim; i++) h[i] = Math.sin(seq * 0.37 + i * 1.3 + deviceId.length);
    out.push(
      Buffer.from(
        encodeEmbeddingMessage({
          v: 1,
          deviceId,
          seq,
          t0: 1_764_000_000_000 + seq * 10_000,
          release,
          leadMask: 0xfff,
          quality: 1,
          h,
        }),
      ),
    );
  }
  return out;
}

async function until(condition: () => Promise<boolean>, ms: number): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > ms) throw new Error('ingest benchmark timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** `pnpm bench ingest`. */
export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  description:
    'embeddings device → aedes → cloud ingest → PGlite: throughput and p99 enqueue-to-stored at 1k/s',
  async run(progress) {
    const work = await mkdtemp(join(tmpdir(), 'hl-bench-ingest-'));
    let cloud: Cloud | undefined;
    const clients: MqttClient[] = [];
    try {
      progress('training a tiny release for the shared projection');
      await trainRelease({ out: join(work, 'release'), preset: 'tiny', dataDirs: [], pairedReports: [] });
      const sent = new Map<string, number>();
      const latencies: number[] = [];
      cloud = await startCloud({
        mqttPort: 0,
        releaseDirs: [join(work, 'release')],
        log: () => undefined,
        onStored(rows) {
          const now = performance.now();
          for (const r of rows) {
            const t = sent.get(`${r.deviceId}/${r.seq}`);
            if (t !== undefined) latencies.push(now - t);
          }
        },
      });
      const [release] = await cloud.releases.live();
      const { id, ecgDim } = release!;
      for (let d = 0; d < DEVICES; d++) {
        const deviceId = `bench-${d}`;
        const password = await addDevice(cloud.db, deviceId);
        clients.push(
          await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
            clientId: `hl-dev-${deviceId}`,
            username: deviceId,
            password,
            reconnectPeriod: 0,
          }),
        );
      }

      progress(`throughput: ${DEVICES} devices × ${PER_DEVICE} messages`);
      const all = clients.map((_, d) => payloads(`bench-${d}`, id, ecgDim, 0, PER_DEVICE));
      const c = cloud;
      const started = performance.now();
      await Promise.all(
        clients.map((client, d) =>
          Promise.all(all[d]!.map((p) => client.publishAsync(`hl/v1/dev/bench-${d}/emb`, p, { qos: 1 }))),
        ),
      );
      await until(async () => (await countEmbeddings(c.db)) >= DEVICES * PER_DEVICE, 300_000);
      const throughput = (DEVICES * PER_DEVICE) / ((performance.now() - started) / 1000);

      progress('latency: 1,000 messages/s for 5 s');
      const steady = payloads('bench-0', id, ecgDim, PER_DEVICE, 5000);
      const t0 = performance.now();
      for (const [i, p] of steady.entries()) {
        const due = t0 + i;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        sent.set(`bench-0/${PER_DEVICE + i}`, performance.now());
        void clients[0]!.publishAsync('hl/v1/dev/bench-0/emb', p, { qos: 1 });
      }
      await until(async () => latencies.length >= steady.length, 60_000);
      const figures: BenchFigure[] = [
        {
          name: 'ingest throughput',
          value: throughput,
          unit: 'embeddings/s',
          goal: { value: 10_000, better: 'higher' },
        },
        { name: 'enqueue-to-stored p50 at 1k/s', value: percentile(latencies, 50), unit: 'ms' },
        {
          name: 'enqueue-to-stored p99 at 1k/s',
          value: percentile(latencies, 99),
          unit: 'ms',
          goal: { value: 50, better: 'lower' },
        },
      ];
      return figures;
    } finally {
      for (const client of clients) await client.endAsync().catch(() => undefined);
      await cloud?.close();
      await rm(work, { recursive: true, force: true });
    }
  },
};
