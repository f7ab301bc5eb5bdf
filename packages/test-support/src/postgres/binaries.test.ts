import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresUnavailableError } from '../errors.js';
import {
  findPostgresBinaries,
  postgresAvailable,
  postgresForTest,
  postgresUnavailableReason,
} from './binaries.js';
import { startPostgresServer } from './server.js';

let empty: string;
beforeAll(async () => {
  empty = await mkdtemp(join(tmpdir(), 'hl-no-pg-'));
});
afterAll(() => rm(empty, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('PostgreSQL server programs', () => {
  it.skipIf(!postgresAvailable())(
    'finds initdb, pg_ctl and postgres in one folder, with their version',
    () => {
      const binaries = findPostgresBinaries()!;
      expect(binaries.binDir).toMatch(/bin$/);
      expect(binaries.version).toMatch(new RegExp(`^${binaries.major}(\\.\\d+)?$`));
    },
  );

  it('names the folder it looked at when HEARTLINE_PG_BINDIR holds no server', async () => {
    vi.stubEnv('HEARTLINE_PG_BINDIR', empty);
    expect(findPostgresBinaries()).toBeUndefined();
    expect(postgresAvailable()).toBe(false);
    expect(postgresUnavailableReason()).toContain(`HEARTLINE_PG_BINDIR=${empty}`);
    await expect(startPostgresServer()).rejects.toMatchObject({ code: 'POSTGRES_UNAVAILABLE' });
  });

  it('prints why tests are skipped outside CI, and fails under CI', () => {
    vi.stubEnv('HEARTLINE_PG_BINDIR', empty);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('CI', '');
    expect(postgresForTest()).toBeUndefined();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toContain(empty);
    vi.stubEnv('CI', 'true');
    expect(() => postgresForTest()).toThrow(PostgresUnavailableError);
    expect(() => postgresForTest()).toThrow(/^CI: .*must not be skipped/);
  });
});
