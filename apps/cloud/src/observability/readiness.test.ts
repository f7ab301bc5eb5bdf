import { describe, expect, it } from 'vitest';
import type { SqlDriver } from '../storage/driver.js';
import { MIGRATIONS } from '../storage/migrations.js';
import { type BrokerLink, checkReadiness } from './readiness.js';

/** A database stand-in answering `SELECT version FROM schema_migrations` with `versions`. */
function database(versions: readonly number[] | Error): Pick<SqlDriver, 'query'> {
  return {
    query: (async () => {
      if (versions instanceof Error) throw versions;
      return { rows: versions.map((version) => ({ version })), affectedRows: 0 };
    }) as SqlDriver['query'],
  };
}

const ALL = MIGRATIONS.map((m) => m.version);
const link = (overrides: Partial<BrokerLink> = {}): (() => BrokerLink) => {
  return () => ({ kind: 'embedded', connected: true, subscribed: true, clients: 0, ...overrides });
};

describe('checkReadiness', () => {
  it('is ready when the schema is current, the broker subscribed and the index caught up', async () => {
    const answer = await checkReadiness({ db: database(ALL), broker: link(), ecgIndex: { ready: true } });
    expect(answer).toEqual({
      ready: true,
      checks: { database: true, broker: true, vectorIndex: true },
      waitingFor: [],
    });
  });

  it('needs no vector index where there is none (a PostgreSQL server)', async () => {
    const answer = await checkReadiness({ db: database(ALL), broker: link({ kind: 'external' }) });
    expect(answer.ready).toBe(true);
  });

  it('accepts migrations newer than it knows (a newer instance ran them)', async () => {
    const answer = await checkReadiness({ db: database([...ALL, 999]), broker: link() });
    expect(answer.checks.database).toBe(true);
  });

  it('names each check not yet true', async () => {
    const missing = await checkReadiness({
      db: database(ALL.slice(0, -1)),
      broker: link({ subscribed: false }),
      ecgIndex: { ready: false },
    });
    expect(missing).toMatchObject({ ready: false, waitingFor: ['database', 'broker', 'vectorIndex'] });
    const down = await checkReadiness({
      db: database(new Error('connection refused')),
      broker: link({ kind: 'external', connected: false }),
      ecgIndex: { ready: true },
    });
    expect(down.waitingFor).toEqual(['database', 'broker']);
  });
});
