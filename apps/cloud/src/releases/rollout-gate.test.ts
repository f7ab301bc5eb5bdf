/**
 * The align-release rollout gate through {@link Rollout} on a real (PGlite) database: the release's
 * metrics.json is read from its registered folder, and a refused rollout publishes nothing.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus } from '../broker/bus.js';
import { ConflictError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { registerRelease } from '../storage/releases.js';
import { Rollout } from './rollout.js';

let db: SqlDriver;
let rollout: Rollout;
let root: string;
const published: string[] = [];

const bus: MessageBus = {
  kind: 'embedded',
  subscribe: async () => undefined,
  publish: async (topic) => {
    published.push(topic);
  },
  close: async () => undefined,
};

const heldOut = (r10: number, auroc: number) => ({
  n: 20,
  zeroShot: { macroAuroc: auroc },
  retrieval: { reportToEcg: { r1: 0, r5: 0, r10 } },
});

/** Registers align release `id` whose folder holds `metrics` as metrics.json (none when undefined). */
async function alignRelease(id: string, metrics: unknown): Promise<void> {
  const dir = join(root, id);
  await mkdir(dir, { recursive: true });
  if (metrics !== undefined) await writeFile(join(dir, 'metrics.json'), JSON.stringify(metrics));
  await registerRelease(db, {
    id,
    ecgDim: 3,
    sharedDim: 2,
    dir,
    manifest: { id, mode: 'align', parent: 'p1' },
  });
}

beforeAll(async () => {
  db = await openStorage();
  root = await mkdtemp(join(tmpdir(), 'heartline-rollout-gate-'));
  rollout = new Rollout(db, bus, { privateKeyPem: '', publicKeyPem: '', keyId: 'test' }, () => '');
  await alignRelease('a-missing', undefined);
  await alignRelease('a-no-parent', { validation: heldOut(0.5, 0.8) });
  await alignRelease('a-worse', {
    validation: heldOut(0.3, 0.8),
    parent: { id: 'p1', validation: heldOut(0.4, 0.7) },
  });
}, 60_000);
afterAll(async () => {
  await db.close();
  await rm(root, { recursive: true, force: true });
});

async function rolloutRows(): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM rollouts');
  return Number(rows[0]!.n);
}

describe('rolling out an align release', () => {
  it('is refused (409) without a held-out evaluation beside its parent, even forced', async () => {
    for (const id of ['a-missing', 'a-no-parent']) {
      for (const force of [false, true]) {
        await expect(rollout.rollOut(id, 'canary', { force })).rejects.toThrow(ConflictError);
        await expect(rollout.rollOut(id, 'canary', { force })).rejects.toThrow(/no held-out evaluation/);
      }
    }
    expect(await rolloutRows()).toBe(0);
    expect(published).toEqual([]);
  });

  it('is refused when worse than its parent, naming the figure and force', async () => {
    await expect(rollout.rollOut('a-worse', 'canary')).rejects.toThrow(
      /worse than its parent p1 on the held-out pairs: report→ECG R@10 \(0\.300 < 0\.400\); send "force": true/,
    );
    expect(await rolloutRows()).toBe(0);
  });

  it('passes the gate when forced (the export then runs: here it fails on the missing weights)', async () => {
    const error = await rollout.rollOut('a-worse', 'canary', { force: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ConflictError);
    expect(published).toEqual([]);
  }, 60_000);
});
