/**
 * The align-job proposal on real databases (PGlite, and a PostgreSQL server where installed): sign-offs that made a record are counted since the
 * last align job of the stable release's lineage; a pending align job holds the proposal back.
 */
import { databaseTargets, stopTestPostgres } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { registerRelease } from '../storage/releases.js';
import { proposeAlign, readAlignProposal } from './align-proposal.js';

describe('proposeAlign', () => {
  it('proposes at the threshold and says why not below it', () => {
    const since = { id: 'j1', status: 'succeeded', created: '2026-01-01T00:00:00.000Z' };
    expect(proposeAlign({ signOffs: 25, threshold: 25, parent: 'r1', since })).toMatchObject({
      proposed: true,
      message: 'align proposed: 25 new sign-offs since align job j1 (2026-01-01T00:00:00.000Z)',
    });
    expect(proposeAlign({ signOffs: 24, threshold: 25, parent: 'r1', since: null })).toMatchObject({
      proposed: false,
      message: '24 of 25 sign-offs since the first align job before an align job is proposed',
    });
  });

  it('proposes nothing while an align job is pending or without a release', () => {
    const since = { id: 'j2', status: 'running', created: '2026-01-01T00:00:00.000Z' };
    expect(proposeAlign({ signOffs: 99, threshold: 25, parent: 'r1', since }).proposed).toBe(false);
    expect(proposeAlign({ signOffs: 99, threshold: 25, parent: null, since: null }).proposed).toBe(false);
  });
});

afterAll(stopTestPostgres);

describe.each(databaseTargets())('on $name', (target) => {
  let db: SqlDriver;
  let seq = 0;

  beforeAll(async () => {
    db = await openStorage({ databaseUrl: await target.newDatabase() });
    await registerRelease(db, { id: 'r1', ecgDim: 3, sharedDim: 2, dir: '/nowhere', manifest: { id: 'r1' } });
    await registerRelease(db, {
      id: 'other',
      ecgDim: 3,
      sharedDim: 2,
      dir: '/nowhere',
      manifest: { id: 'other' },
    });
    await db.query(
      `INSERT INTO rollouts (channel, release, manifest, action) VALUES ('stable', 'r1', '{}', 'rollout')`,
    );
  }, 60_000);
  afterAll(() => db?.close());

  /** One sign-off of a new case at `signed`; a rejected draft makes no record. */
  async function signOff(signed: string, decision: 'accept' | 'edit' | 'reject' = 'accept'): Promise<void> {
    seq++;
    const recordId = decision === 'reject' ? null : `signed-${seq}`;
    if (recordId) {
      await db.query(
        `INSERT INTO clinical_records (id, text, source, case_device_id, case_seq) VALUES ($1, 'sinus rhythm', 'sign-off', 'd1', $2)`,
        [recordId, seq],
      );
    }
    await db.query(
      `INSERT INTO sign_offs (device_id, seq, decision, record_id, token_id, role, signed_by, draft_release, language,
                              draft, statements, codes, edit_distance, signed)
       VALUES ('d1', $1, $2, $3, 't1', 'clinician', 'dr', 'r1', 'en', '{}', '{}', '{}', 0, $4)`,
      [seq, decision, recordId, signed],
    );
  }

  async function alignJob(id: string, status: string, created: string, parent: string, release?: string) {
    await db.query(
      `INSERT INTO jobs (id, kind, status, spec, created, release) VALUES ($1, 'align', $2, $3, $4, $5)`,
      [id, status, JSON.stringify({ kind: 'align', parent }), created, release ?? null],
    );
  }

  describe('readAlignProposal', () => {
    it('counts the sign-offs that made a record since the lineage’s last align job', async () => {
      expect(await readAlignProposal(db, 3)).toMatchObject({ proposed: false, signOffs: 0, parent: 'r1' });
      await signOff('2026-01-01T10:00:00Z');
      await signOff('2026-01-01T11:00:00Z', 'edit');
      await signOff('2026-01-01T12:00:00Z', 'reject');
      expect(await readAlignProposal(db, 3)).toMatchObject({ proposed: false, signOffs: 2 });
      await signOff('2026-01-01T13:00:00Z');
      expect(await readAlignProposal(db, 3)).toMatchObject({ proposed: true, signOffs: 3, since: null });

      // An align job of another lineage does not reset the count; a failed one of this lineage neither.
      await alignJob('j-other', 'succeeded', '2026-01-01T14:00:00Z', 'other');
      await alignJob('j-failed', 'failed', '2026-01-01T14:30:00Z', 'r1');
      expect(await readAlignProposal(db, 3)).toMatchObject({ proposed: true, signOffs: 3 });

      // A running align job of the lineage holds the proposal back and restarts the count.
      await alignJob('j1', 'running', '2026-01-01T15:00:00Z', 'r1');
      await signOff('2026-01-01T16:00:00Z');
      const pending = await readAlignProposal(db, 1);
      expect(pending).toMatchObject({ proposed: false, signOffs: 1, since: { id: 'j1', status: 'running' } });

      await db.query(`UPDATE jobs SET status = 'succeeded', release = 'r2' WHERE id = 'j1'`);
      expect(await readAlignProposal(db, 1)).toMatchObject({
        proposed: true,
        signOffs: 1,
        since: { id: 'j1', created: '2026-01-01T15:00:00.000Z' },
      });
    });
  });
});
