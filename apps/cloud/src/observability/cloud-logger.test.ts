import { describe, expect, it } from 'vitest';
import { createCloudLogger, lineLog } from './cloud-logger.js';

/** A logger whose JSON lines land in `lines`, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createCloudLogger({ write: (chunk) => lines.push(JSON.parse(chunk)) });
  return { lines, logger };
}

describe('lineLog', () => {
  it('writes one JSON object per line with level, time, instance, component and msg', () => {
    const { lines, logger } = capture();
    lineLog(logger.child({ instance: 'a-1' }))('cloud: release r1 registered (h 64-d → z 32-d)');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      instance: 'a-1',
      component: 'cloud',
      msg: 'release r1 registered (h 64-d → z 32-d)',
    });
    expect(new Date(String(lines[0]!['time'])).getTime()).toBeGreaterThan(0);
  });

  it('logs failures and refusals as warnings', () => {
    const { lines, logger } = capture();
    const log = lineLog(logger);
    log('ingest: rejected (malformed): dev-1: not valid CBOR');
    log('vector index: snapshot not used (bad magic); rebuilding');
    log('ingest: storing failed (08006: connection lost); 3 embeddings wait, retry in 250 ms');
    expect(lines.map((l) => [l['component'], l['level']])).toEqual([
      ['ingest', 'warn'],
      ['vector index', 'warn'],
      ['ingest', 'warn'],
    ]);
  });

  it('keeps a line without a part name whole, multi-line text included', () => {
    const { lines, logger } = capture();
    lineLog(logger)('Something happened:\nsecond line');
    expect(lines[0]).toMatchObject({ msg: 'Something happened:\nsecond line' });
    expect(lines[0]).not.toHaveProperty('component');
  });

  it('writes nothing below its level', () => {
    const lines: string[] = [];
    const logger = createCloudLogger({ write: (chunk) => lines.push(chunk), level: 'warn' });
    lineLog(logger)('cloud: started');
    lineLog(logger)('cloud: close: failed');
    expect(lines).toHaveLength(1);
  });
});
