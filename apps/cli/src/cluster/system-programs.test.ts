import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClusterPrograms } from './system-programs.js';

describe('checkClusterPrograms', () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'hl-no-pg-'));
  });
  afterAll(() => rm(empty, { recursive: true, force: true }));

  it('fails with the Debian package to install when PostgreSQL is missing', () => {
    expect(() => checkClusterPrograms({ pgBinDir: empty })).toThrow(
      expect.objectContaining({
        code: 'SYSTEM_PROGRAM_MISSING',
        message: expect.stringMatching(
          new RegExp(`not found in HEARTLINE_PG_BINDIR=${empty}.*install the 'postgresql' package`),
        ),
      }),
    );
  });
});
