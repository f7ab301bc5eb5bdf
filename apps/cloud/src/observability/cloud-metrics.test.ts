import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { CloudMetrics } from './cloud-metrics.js';

/** `name`'s samples in `text` as [labels, value]. */
function samples(text: string, name: string) {
  const family = parsePrometheusTextFormat(text).find((f) => f.name === name);
  return (family?.metrics ?? []).map((s) => [s.labels ?? {}, s.value] as const);
}

describe('CloudMetrics', () => {
  it('keeps one registry per instance: two in one process count apart, each under its own name', async () => {
    const a = new CloudMetrics('a');
    const b = new CloudMetrics('b');
    a.ingest.stored(3, [0.001, 0.002, 0.003]);
    a.ingest.rejected('dimension');
    b.ingest.stored(1, [0.004]);
    const textA = await a.scrape();
    const textB = await b.scrape();
    expect(samples(textA, 'heartline_embeddings_stored_total')).toEqual([[{ instance: 'a' }, '3']]);
    expect(samples(textB, 'heartline_embeddings_stored_total')).toEqual([[{ instance: 'b' }, '1']]);
    expect(samples(textA, 'heartline_ingest_rejections_total')).toEqual([
      [{ reason: 'dimension', instance: 'a' }, '1'],
    ]);
    expect(samples(textB, 'heartline_ingest_rejections_total')).toEqual([]);
    // The process metrics appear in both, under each instance's name.
    expect(samples(textB, 'process_start_time_seconds')[0]?.[0]).toEqual({ instance: 'b' });
  });

  it('leaves a metric read from the database empty, and counts the failure, when the read fails', async () => {
    const metrics = new CloudMetrics('c');
    metrics.watch({
      db: { query: () => Promise.reject(new Error('connection lost')) },
      ingest: {
        stats: () => ({
          received: 0,
          stored: 0,
          duplicates: 0,
          rejected: {},
          waiting: 2,
          storageFailing: true,
        }),
      },
      broker: () => ({ kind: 'external', connected: false, subscribed: true, clients: undefined }),
    });
    const text = await metrics.scrape();
    expect(samples(text, 'heartline_jobs')).toEqual([]);
    expect(samples(text, 'heartline_metrics_read_failures_total')).toContainEqual([
      { metric: 'heartline_jobs', instance: 'c' },
      '1',
    ]);
    expect(samples(text, 'heartline_ingest_waiting')).toEqual([[{ instance: 'c' }, '2']]);
    expect(samples(text, 'heartline_broker_connected')).toEqual([
      [{ broker: 'external', instance: 'c' }, '0'],
    ]);
    // Only the embedded broker has connections to count; there is no vector index to report.
    expect(samples(text, 'heartline_broker_connections')).toEqual([]);
    expect(samples(text, 'heartline_vector_index_lag_rows')).toEqual([]);
  });
});
