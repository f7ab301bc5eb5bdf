/**
 * Operator commands to one device: published at QoS 1 on its `hl/v1/dev/{id}/cmd` topic (which only the
 * cloud may publish to), with a fresh id the device echoes in its state (`lastCommand`). An
 * `assign-channel` first moves the device to the new channel in the database, so fleet views, rollouts
 * and the release guard count it there, and tells the embedded broker, so the device may subscribe to
 * the new channel's release topic in the session it has.
 */
import { randomUUID } from 'node:crypto';
import { type DeviceCommand, type DeviceCommandBody, encodeDeviceCommand, TOPICS } from '@heartline/contract';
import type { MessageBus } from '../broker/bus.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { findDevice, setDeviceChannel } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';

/** Options of {@link DeviceCommands}. */
export interface DeviceCommandsOptions {
  readonly db: SqlDriver;
  readonly bus: MessageBus;
  /**
   * Told after the database moved a device to another channel, before the command is published (the
   * embedded broker updates the channel its live sessions may subscribe to). Default: nobody.
   */
  readonly onChannelAssigned?: ((deviceId: string, channel: string) => void) | undefined;
}

/** What was sent. */
export interface SentCommand {
  readonly id: string;
  readonly deviceId: string;
  readonly topic: string;
  readonly command: DeviceCommand;
}

/** Sends commands to devices. */
export class DeviceCommands {
  constructor(private readonly options: DeviceCommandsOptions) {}

  /**
   * Publishes `body` to the device with a new id; NotFoundError for an unknown device, ConflictError for
   * a revoked one (it cannot connect to receive it). Resolves once the broker took the message. A device
   * offline at that moment does not get it (its session is clean), but an assigned channel is stored.
   */
  async send(deviceId: string, body: DeviceCommandBody): Promise<SentCommand> {
    const { db, bus } = this.options;
    const device = await findDevice(db, deviceId);
    if (!device) throw new NotFoundError('device', deviceId);
    if (device.revoked)
      throw new ConflictError(`device '${deviceId}' is revoked: it cannot receive commands`);
    if (body.type === 'assign-channel' && body.channel !== device.channel) {
      await setDeviceChannel(db, deviceId, body.channel);
      this.options.onChannelAssigned?.(deviceId, body.channel);
    }
    const id = randomUUID();
    const command: DeviceCommand = { ...body, id };
    const topic = TOPICS.command(deviceId);
    await bus.publish(topic, encodeDeviceCommand(command));
    return { id, deviceId, topic, command };
  }
}
