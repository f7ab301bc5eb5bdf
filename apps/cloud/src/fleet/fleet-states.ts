/**
 * The fleet's state: every cloud instance subscribes (unshared: states are retained) to every device's
 * `hl/v1/dev/{id}/state`, validates each message and upserts `device_states`. A bad message is rejected
 * with a stable reason through the ingest's rejection counter; no payload can make `handle` throw.
 * A device moves only its own row: the id is the topic's (the broker lets a device publish only under
 * its own id), a payload naming another device is rejected, and listeners get the registry's row (its
 * channel and revocation), never what the payload claims.
 */
import { deviceIdOfTopic } from '@heartline/contract';
import { upsertDeviceState } from '../storage/device-states.js';
import { type DeviceRow, findDevice } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import { type DeviceStateMessage, DeviceStateSchema, isBareOffline } from './device-state-schema.js';

/** Options of {@link FleetStates}. */
export interface FleetStatesOptions {
  readonly db: SqlDriver;
  /** Counts a rejected message with a stable reason (the ingest's `reject`). */
  readonly reject: (reason: string, detail: string) => void;
  /** Told after each stored state (automatic rollback watches update failures). Default: nothing. */
  readonly onState?: (device: DeviceRow, state: DeviceStateMessage) => void | Promise<void>;
  /** Receives one line per storage problem. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** Validates and stores device state messages. */
export class FleetStates {
  private readonly log: (line: string) => void;

  constructor(private readonly options: FleetStatesOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Takes one MQTT state message; resolves once it is stored or rejected. Never rejects. */
  async handle(topic: string, payload: Uint8Array): Promise<void> {
    const topicDevice = deviceIdOfTopic(topic);
    if (topicDevice === undefined || !topic.endsWith('/state')) {
      this.options.reject('state-bad-topic', topic);
      return;
    }
    // A retained message is cleared with an empty payload: nothing to store.
    if (payload.byteLength === 0) return;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch (error) {
      this.options.reject('state-malformed', `${topicDevice}: not UTF-8 JSON (${(error as Error).message})`);
      return;
    }
    const parsed = DeviceStateSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      this.options.reject('state-malformed', `${topicDevice}: ${problems.join('; ')}`);
      return;
    }
    const state = parsed.data;
    if (state.deviceId !== topicDevice) {
      this.options.reject(
        'state-device-mismatch',
        `payload deviceId ${state.deviceId} on topic of ${topicDevice}`,
      );
      return;
    }
    try {
      const device = await findDevice(this.options.db, topicDevice);
      if (!device) {
        this.options.reject('state-unknown-device', topicDevice);
        return;
      }
      await upsertDeviceState(this.options.db, topicDevice, state, isBareOffline(state));
      await this.options.onState?.(device, state);
    } catch (error) {
      this.log(`fleet: state of ${topicDevice} not stored: ${(error as Error).message}`);
    }
  }
}
