import { TOPICS } from '@heartline/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFleet } from '../storage/device-states.js';
import { addDevice } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import type { DeviceStateMessage } from './device-state-schema.js';
import { FleetStates } from './fleet-states.js';

let db: SqlDriver;
const rejected: [string, string][] = [];
const seen: DeviceStateMessage[] = [];
let fleet: FleetStates;

const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

beforeAll(async () => {
  db = await openStorage();
  await addDevice(db, 'dev-a', 'canary');
  await addDevice(db, 'dev-b');
  fleet = new FleetStates({
    db,
    reject: (reason, detail) => rejected.push([reason, detail]),
    onState: (_device, state) => {
      seen.push(state);
    },
    log: () => undefined,
  });
}, 60_000);
afterAll(() => db.close());

describe('FleetStates', () => {
  it('stores a full state and keeps it when the last will marks the device offline', async () => {
    await fleet.handle(
      TOPICS.state('dev-a'),
      bytes({
        deviceId: 'dev-a',
        online: true,
        connected: true,
        release: 'r2',
        previousRelease: 'r1',
        encoded: 12,
        skipped: 0,
        sent: 10,
        queued: 2,
        dropped: 0,
        nextSeq: 12,
        lastWindowT0: Date.UTC(2026, 0, 2, 3, 4, 5),
        quality: 0.75,
        update: { kind: 'installed', release: 'r2', previous: 'r1' },
        status: 'online',
        time: Date.now(),
      }),
    );
    let a = (await listFleet(db)).find((d) => d.id === 'dev-a')!;
    expect(a).toMatchObject({
      channel: 'canary',
      online: true,
      release: 'r2',
      previousRelease: 'r1',
      encoded: 12,
      sent: 10,
      queued: 2,
      quality: 0.75,
      lastWindowT0: '2026-01-02T03:04:05.000Z',
      update: { kind: 'installed', release: 'r2' },
    });
    expect(Date.parse(a.lastSeen!)).toBeGreaterThan(Date.now() - 60_000);

    await fleet.handle(
      TOPICS.state('dev-a'),
      bytes({ deviceId: 'dev-a', online: false, status: 'offline', reason: 'connection lost' }),
    );
    a = (await listFleet(db)).find((d) => d.id === 'dev-a')!;
    expect(a.online).toBe(false);
    expect(a.release).toBe('r2');
    expect(a.queued).toBe(2);
    expect(seen).toHaveLength(2);
    expect(rejected).toEqual([]);
  });

  it('lists a device that never reported with null fields', async () => {
    const b = (await listFleet(db)).find((d) => d.id === 'dev-b')!;
    expect(b).toMatchObject({ online: false, release: null, queued: null, update: null, lastSeen: null });
  });

  it('rejects malformed, mismatched and unknown-device states with stable reasons', async () => {
    rejected.length = 0;
    await fleet.handle(TOPICS.state('dev-b'), bytes('{not json'));
    await fleet.handle(TOPICS.state('dev-b'), new Uint8Array([0xff, 0xfe]));
    await fleet.handle(TOPICS.state('dev-b'), bytes({ deviceId: 'dev-b', online: 'yes' }));
    await fleet.handle(TOPICS.state('dev-b'), bytes({ deviceId: 'dev-b', online: true, queued: -1 }));
    await fleet.handle(TOPICS.state('dev-b'), bytes({ deviceId: 'dev-a', online: true }));
    await fleet.handle(TOPICS.state('ghost'), bytes({ deviceId: 'ghost', online: true }));
    expect(rejected.map(([reason]) => reason)).toEqual([
      'state-malformed',
      'state-malformed',
      'state-malformed',
      'state-malformed',
      'state-device-mismatch',
      'state-unknown-device',
    ]);
    expect(rejected[3]![1]).toMatch(/queued/);
    const b = (await listFleet(db)).find((d) => d.id === 'dev-b')!;
    expect(b.lastSeen).toBeNull();
  });

  it("a state naming another device in its payload cannot change that device's row", async () => {
    rejected.length = 0;
    const seenBefore = seen.length;
    const victimBefore = (await listFleet(db)).find((d) => d.id === 'dev-a')!;
    // dev-b, authenticated on its own topic, forges dev-a's refusal of its release and a channel.
    await fleet.handle(
      TOPICS.state('dev-b'),
      bytes({
        deviceId: 'dev-a',
        online: true,
        release: 'r9',
        encoded: 1,
        channel: 'stable',
        update: { kind: 'refused', release: 'r2', reason: 'hash', detail: 'forged' },
      }),
    );
    // A later genuine state of dev-b is stored: the forged one was handled (and dropped) before it.
    await fleet.handle(TOPICS.state('dev-b'), bytes({ deviceId: 'dev-b', online: true, encoded: 3 }));
    expect(rejected).toEqual([['state-device-mismatch', 'payload deviceId dev-a on topic of dev-b']]);
    const after = await listFleet(db);
    expect(after.find((d) => d.id === 'dev-a')).toEqual(victimBefore);
    expect(after.find((d) => d.id === 'dev-b')).toMatchObject({ online: true, encoded: 3, update: null });
    // Only the genuine state reached the listeners (the release guard among them).
    expect(seen.slice(seenBefore)).toEqual([{ deviceId: 'dev-b', online: true, encoded: 3 }]);
  });
});
