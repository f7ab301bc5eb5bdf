/**
 * The release guard against a real (PGlite) database, fed the way the cloud feeds it: device states
 * through {@link FleetStates} (the device id from the topic, the channel from the registry) and stored
 * embeddings. Each case uses its own channel whose newest rollout is r2 after r1; the message bus only
 * records what a rollback publishes.
 */
import { TOPICS } from '@heartline/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus } from '../broker/bus.js';
import type { UpdateEventReport } from '../fleet/device-state-schema.js';
import { FleetStates } from '../fleet/fleet-states.js';
import type { SqlDriver } from '../storage/driver.js';
import { insertEmbeddings } from '../storage/embeddings.js';
import { openStorage } from '../storage/open-storage.js';
import { registerRelease } from '../storage/releases.js';
import { ReleaseGuard, type ReleaseGuardOptions } from './release-guard.js';
import { Rollout } from './rollout.js';

let db: SqlDriver;
let rollout: Rollout;
const published: string[] = [];
const rejected: string[] = [];

const bus: MessageBus = {
  kind: 'embedded',
  subscribe: async () => undefined,
  publish: async (topic) => {
    published.push(topic);
  },
  close: async () => undefined,
};

beforeAll(async () => {
  db = await openStorage();
  for (const id of ['r1', 'r2']) {
    await registerRelease(db, { id, ecgDim: 3, sharedDim: 2, dir: '/nowhere', manifest: { id } });
  }
  rollout = new Rollout(db, bus, { privateKeyPem: '', publicKeyPem: '', keyId: 'test' }, () => '');
}, 60_000);
afterAll(() => db.close());

/** Registers devices on a channel (placeholder secrets: nothing here authenticates). */
async function devices(channel: string, ids: readonly string[], revoked = false): Promise<void> {
  for (const id of ids) {
    await db.query(
      `INSERT INTO devices (id, secret_hash, mosquitto_hash, channel, revoked) VALUES ($1, 'x', 'x', $2, $3)`,
      [id, channel, revoked],
    );
  }
}

/** Publishes r1 then r2 on `channel` (the rows a rollout writes, without exporting a model). */
async function rollOut(channel: string, release: 'r1' | 'r2'): Promise<void> {
  await db.query(
    `INSERT INTO rollouts (channel, release, manifest, action) VALUES ($1, $2, '{}', 'rollout')`,
    [channel, release],
  );
  await db.query(
    `INSERT INTO channel_events (channel, action, release, reason) VALUES ($1, 'rollout', $2, 'operator')`,
    [channel, release],
  );
}

/** A guard wired to a FleetStates the way the cloud wires them. */
function guarded(options: ReleaseGuardOptions = {}): { guard: ReleaseGuard; fleet: FleetStates } {
  const guard = new ReleaseGuard(db, rollout, options);
  const fleet = new FleetStates({
    db,
    reject: (reason) => rejected.push(reason),
    onState: (device, state) => guard.onState(device, state),
    log: () => undefined,
  });
  return { guard, fleet };
}

/** A device's state message carrying its last update event (and anything else the payload claims). */
function state(topicDevice: string, update: UpdateEventReport, extra: Record<string, unknown> = {}) {
  const json = { deviceId: topicDevice, online: true, release: 'r1', encoded: 1, update, ...extra };
  return [TOPICS.state(topicDevice), new TextEncoder().encode(JSON.stringify(json))] as const;
}

const refusedR2: UpdateEventReport = {
  kind: 'refused',
  release: 'r2',
  reason: 'download',
  detail: 'fetch failed',
};

async function autoRollbacks(channel: string) {
  return (await rollout.events(channel)).filter((e) => e.action === 'auto-rollback');
}

/** The update event stored for `id` (the guard has weighed a state once `handle` resolved). */
async function storedUpdate(id: string): Promise<unknown> {
  const { rows } = await db.query<{ update: unknown }>(
    `SELECT state->'update' AS update FROM device_states WHERE device_id = $1`,
    [id],
  );
  return rows[0]?.update;
}

describe('ReleaseGuard: update failures', () => {
  it('one forged refused state from a single device does not roll the channel back', async () => {
    await devices('c-forged', ['f0', 'f1', 'f2']);
    await rollOut('c-forged', 'r1');
    await rollOut('c-forged', 'r2');
    const { fleet } = guarded();
    await fleet.handle(...state('f0', refusedR2));
    // The state was stored and weighed (handle resolves after the guard): one device is no quorum.
    expect(await storedUpdate('f0')).toMatchObject({ kind: 'refused', release: 'r2' });
    expect(await autoRollbacks('c-forged')).toEqual([]);
    expect((await rollout.channels()).find((c) => c.channel === 'c-forged')?.release).toBe('r2');
    expect(published).not.toContain(TOPICS.release('c-forged'));
  });

  it('repeated refusals from one device count once', async () => {
    await devices('c-repeat', ['p0', 'p1', 'p2']);
    await rollOut('c-repeat', 'r1');
    await rollOut('c-repeat', 'r2');
    const { fleet } = guarded({ minDevices: 2, minFraction: 0 });
    for (let i = 0; i < 25; i++) {
      await fleet.handle(...state('p0', { ...refusedR2, detail: `attempt ${i}` }));
    }
    await fleet.handle(...state('p0', { kind: 'rolled-back', from: 'r2', to: 'r1', why: 'run failed' }));
    expect(await autoRollbacks('c-repeat')).toEqual([]);
    await fleet.handle(...state('p1', refusedR2));
    const [auto, ...more] = await autoRollbacks('c-repeat');
    expect(more).toEqual([]);
    expect(auto).toMatchObject({ release: 'r2', devices: ['p0', 'p1'] });
    expect(auto!.reason).toMatch(/^2 of 3 devices on the channel \(quorum 2\)/);
  });

  it("refusals from a quorum of the channel's devices roll it back and the event lists them", async () => {
    const ids = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    await devices('c-quorum', ids);
    await rollOut('c-quorum', 'r1');
    await rollOut('c-quorum', 'r2');
    // Defaults: at least 2 devices and 30 % of 7, so 3.
    const { fleet } = guarded();
    await fleet.handle(...state('q5', refusedR2));
    await fleet.handle(...state('q1', { kind: 'installed', release: 'r2', previous: 'r1' }));
    await fleet.handle(...state('q2', { kind: 'rolled-back', from: 'r2', to: 'r1', why: 'run failed: NaN' }));
    expect(await autoRollbacks('c-quorum')).toEqual([]);
    await fleet.handle(...state('q0', { ...refusedR2, reason: 'self-test' }));

    const events = await rollout.events('c-quorum');
    expect(events.map((e) => e.action)).toEqual(['rollout', 'rollout', 'auto-rollback']);
    expect(events[0]!.devices).toEqual([]);
    const auto = events[2]!;
    expect(auto.release).toBe('r2');
    expect(auto.devices).toEqual(['q0', 'q2', 'q5']);
    expect(auto.reason).toMatch(/^3 of 7 devices on the channel \(quorum 3\) report a failed update of r2: /);
    expect(auto.reason).toContain('device q0 refused r2 (self-test)');
    expect(auto.reason).toContain('device q2 rolled back from r2: run failed: NaN');
    expect(auto.reason).toMatch(/; back to r1$/);
    expect((await rollout.channels()).find((c) => c.channel === 'c-quorum')?.release).toBe('r1');
    expect(published).toContain(TOPICS.release('c-quorum'));

    // Later refusals (this instance or another one on the same database) change nothing.
    await fleet.handle(...state('q3', refusedR2));
    await guarded().fleet.handle(...state('q4', refusedR2));
    expect(await autoRollbacks('c-quorum')).toHaveLength(1);
  });

  it('reports from devices on another channel are ignored', async () => {
    await devices('c-target', ['t0', 't1', 't2']);
    await devices('c-elsewhere', ['e0', 'e1', 'e2', 'e3']);
    await devices('c-target', ['t-revoked-0', 't-revoked-1'], true);
    await rollOut('c-target', 'r1');
    await rollOut('c-target', 'r2');
    const { fleet } = guarded();
    // Devices of another channel (which does not run r2) claim to be on the target channel.
    for (const id of ['e0', 'e1', 'e2', 'e3']) {
      await fleet.handle(...state(id, refusedR2, { channel: 'c-target' }));
    }
    // Revoked devices of the channel and one real member: still one device of three.
    await fleet.handle(...state('t-revoked-0', refusedR2));
    await fleet.handle(...state('t-revoked-1', refusedR2));
    await fleet.handle(...state('t0', refusedR2));
    expect(await storedUpdate('e3')).toMatchObject({ kind: 'refused' });
    expect(await storedUpdate('t-revoked-1')).toMatchObject({ kind: 'refused' });
    expect(await autoRollbacks('c-target')).toEqual([]);
    expect(await autoRollbacks('c-elsewhere')).toEqual([]);

    await fleet.handle(...state('t2', refusedR2));
    const [auto] = await autoRollbacks('c-target');
    expect(auto?.devices).toEqual(['t0', 't2']);
    expect(auto?.reason).toMatch(/^2 of 3 devices/);
  });

  it('weighs the states kept in the database, so a restarted guard still sees earlier refusals', async () => {
    await devices('c-restart', ['s0', 's1', 's2']);
    await rollOut('c-restart', 'r1');
    await rollOut('c-restart', 'r2');
    const before = guarded();
    await before.fleet.handle(...state('s0', refusedR2));
    await before.guard.close();
    expect(await autoRollbacks('c-restart')).toEqual([]);
    // A new guard (a restarted cloud, or another instance) completes the quorum with s0's stored refusal.
    await guarded().fleet.handle(...state('s1', refusedR2));
    expect((await autoRollbacks('c-restart'))[0]?.devices).toEqual(['s0', 's1']);
  });
});

describe('ReleaseGuard: quality', () => {
  let seq = 0;
  /** Stores `n` windows of `device` under `release`, all of quality `quality`. */
  async function windows(device: string, release: string, quality: number, n: number): Promise<void> {
    const rows = Array.from({ length: n }, () => ({
      deviceId: device,
      seq: seq++,
      t0: 1_700_000_000_000 + seq,
      release,
      leadMask: 0xfff,
      quality,
      h: new Float32Array([0.1, 0.2, 0.3]),
      z: new Float32Array([0.6, 0.8]),
    }));
    await insertEmbeddings(db, rows);
  }
  const policy = { minSamples: 5, maxQualityDrop: 0.15 };

  it('one device flooding quality-0 windows does not roll the channel back', async () => {
    await devices('c-flood', ['w0', 'w1', 'w2']);
    await rollOut('c-flood', 'r1');
    for (const id of ['w0', 'w1', 'w2']) await windows(id, 'r1', 0.9, 10);
    await rollOut('c-flood', 'r2');
    await windows('w0', 'r2', 0, 2000);
    await windows('w1', 'r2', 0.85, 10);
    await windows('w2', 'r2', 0.88, 10);
    const { guard } = guarded(policy);
    await guard.checkQuality();
    expect(await autoRollbacks('c-flood')).toEqual([]);

    // A second device whose own windows clearly got worse completes the default quorum (2 of 3).
    await windows('w2', 'r2', 0.2, 30);
    await guard.checkQuality();
    const [auto] = await autoRollbacks('c-flood');
    expect(auto?.devices).toEqual(['w0', 'w2']);
    expect(auto?.reason).toMatch(/^window quality dropped by more than 0\.15 on 2 of 3 devices/);
    expect(auto?.reason).toMatch(/mean window quality of w0 under r2 is 0\.000 \(2000 windows\)/);
  });

  it('quality windows of devices on another channel do not count for this channel', async () => {
    await devices('c-qa', ['qa0', 'qa1', 'qa2']);
    await devices('c-qb', ['qb0', 'qb1']);
    await rollOut('c-qa', 'r1');
    for (const id of ['qa0', 'qa1', 'qa2', 'qb0', 'qb1']) await windows(id, 'r1', 0.9, 10);
    await rollOut('c-qa', 'r2');
    // c-qb's devices send r2 windows of poor quality (r2 is not even rolled out to them).
    for (const id of ['qb0', 'qb1']) await windows(id, 'r2', 0.1, 10);
    await windows('qa0', 'r2', 0.1, 10);
    const { guard } = guarded(policy);
    await guard.checkQuality();
    expect(await autoRollbacks('c-qa')).toEqual([]);
    expect(await autoRollbacks('c-qb')).toEqual([]);
  });
});
