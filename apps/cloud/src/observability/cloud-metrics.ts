/**
 * The Prometheus metrics of one cloud instance (`GET /api/v1/metrics`): one registry per instance, every
 * series labelled `instance`, the Node process's default metrics beside them. Ingest counters and
 * latencies are counted as they happen (through {@link IngestObserver}); broker, vector index, jobs and
 * channels are read when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Ingest, IngestObserver } from '../ingest/ingest.js';
import type { SqlDriver } from '../storage/driver.js';
import type { EcgVectorIndex } from '../vector-index/ecg-vector-index.js';
import { processMetrics } from './process-metrics.js';
import type { BrokerLink } from './readiness.js';
import { channelReleases, jobsByStatus, rowsAbove } from './table-gauges.js';

/** Latency buckets, s: the ingest answers in milliseconds; backpressure retries wait up to 5 s each. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the scrape-time metrics read; given once the instance has them all ({@link CloudMetrics.watch}). */
export interface MetricSources {
  readonly db: Pick<SqlDriver, 'query'>;
  readonly ingest: Pick<Ingest, 'stats'>;
  readonly broker: () => BrokerLink;
  /** The in-process vector index (PGlite); undefined on a PostgreSQL server (pgvector's own index). */
  readonly ecgIndex?: Pick<EcgVectorIndex, 'followedId' | 'usable'> | undefined;
}

/** The metrics registry of one cloud instance. */
export class CloudMetrics {
  /** This instance's own metrics (the process metrics are added when scraped). */
  readonly registry = new Registry();
  /** Hand it to the ingest (`IngestOptions.observer`). */
  readonly ingest: IngestObserver;
  private readonly readFailures: Counter<'metric'>;
  /** Reads the scrape-time metrics' samples (each resets its metric first). */
  private readonly reads: (() => Promise<void>)[] = [];

  constructor(readonly instance: string) {
    const registers = [this.registry];
    const stored = new Counter({
      name: 'heartline_embeddings_stored_total',
      help: 'Embeddings this instance stored (new rows; redeliveries of stored ones not counted).',
      registers,
    });
    const rejections = new Counter({
      name: 'heartline_ingest_rejections_total',
      help: 'Messages refused for good, by reason (the ingest and the embedded broker).',
      labelNames: ['reason'],
      registers,
    });
    const answered = new Histogram({
      name: 'heartline_ingest_ack_latency_seconds',
      help: 'From a message reaching the ingest to its answer (stored or refused), when the broker may acknowledge it.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const queued = new Histogram({
      name: 'heartline_ingest_store_latency_seconds',
      help: "From a valid message entering the ingest's queue to its batch being stored.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ingest = {
      answered: (seconds) => answered.observe(seconds),
      stored: (inserted, queuedSeconds) => {
        stored.inc(inserted);
        for (const s of queuedSeconds) queued.observe(s);
      },
      rejected: (reason) => rejections.inc({ reason }),
    };
    this.readFailures = new Counter({
      name: 'heartline_metrics_read_failures_total',
      help: 'Scrape-time reads that failed (the database did not answer), by metric.',
      labelNames: ['metric'],
      registers,
    });
  }

  /**
   * Registers the metrics read from `sources` at each scrape (call once, when the instance has them
   * all): the broker's connections only for the embedded broker, the vector index's only with one.
   */
  watch(sources: MetricSources): void {
    const gauge = this.readGauge.bind(this);
    gauge(
      'heartline_ingest_waiting',
      'Messages received and not yet answered (not yet acknowledged).',
      [],
      (g) => g.set(sources.ingest.stats().waiting),
    );
    gauge(
      'heartline_broker_connected',
      'The broker link: 1 when the embedded broker listens or the external link is up.',
      ['broker'],
      (g) => {
        const link = sources.broker();
        g.set({ broker: link.kind }, link.connected ? 1 : 0);
      },
    );
    if (sources.broker().kind === 'embedded') {
      gauge('heartline_broker_connections', 'MQTT clients logged in to the embedded broker.', [], (g) =>
        g.set(sources.broker().clients ?? 0),
      );
    }
    const index = sources.ecgIndex;
    if (index) {
      gauge(
        'heartline_vector_index_lag_rows',
        'Stored embeddings the in-process vector index has not read yet.',
        [],
        async (g) => g.set(await rowsAbove(sources.db, index.followedId)),
      );
      gauge(
        'heartline_vector_index_usable',
        '1 when queries use the in-process vector index, 0 while they fall back to SQL.',
        [],
        (g) => g.set(index.usable ? 1 : 0),
      );
    }
    gauge('heartline_jobs', 'Training jobs in the database, by status.', ['status'], async (g) => {
      for (const [status, n] of await jobsByStatus(sources.db)) g.set({ status }, n);
    });
    gauge(
      'heartline_channel_release',
      "1 for each channel's current release; last_action is the channel's last event (rollout, rollback, auto-rollback).",
      ['channel', 'release', 'last_action'],
      async (g) => {
        for (const c of await channelReleases(sources.db))
          g.set({ channel: c.channel, release: c.release, last_action: c.lastAction }, 1);
      },
    );
    gauge(
      'heartline_channel_release_since_seconds',
      "When each channel's current manifest was published, s since the epoch.",
      ['channel'],
      async (g) => {
        for (const c of await channelReleases(sources.db)) g.set({ channel: c.channel }, c.since);
      },
    );
  }

  /** The text exposition format's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the text exposition format, each series labelled with this instance. */
  async scrape(): Promise<string> {
    // Read first, then write out: a failure counted by a read is in the same scrape.
    await Promise.all(this.reads.map((read) => read()));
    const merged = Registry.merge([this.registry, processMetrics()]);
    merged.setDefaultLabels({ instance: this.instance });
    return merged.metrics();
  }

  /** A gauge whose samples `read` sets at each scrape; a failing read leaves it empty and is counted. */
  private readGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: (gauge: Gauge<L>) => Promise<void> | void,
  ): void {
    const gauge = new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
    this.reads.push(async () => {
      gauge.reset();
      try {
        await read(gauge);
      } catch {
        gauge.reset();
        this.readFailures.inc({ metric: name });
      }
    });
  }
}
