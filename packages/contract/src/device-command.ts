/**
 * The commands of a device's `cmd` topic (`hl/v1/dev/{id}/cmd`, QoS 1, published only by the cloud):
 * one zod schema that the cloud's API validates request bodies with and the device parses payloads with.
 * A payload is JSON `{"type": …, …}`; for devices and scripts of the first version, the bare word
 * `rollback` and the name under `cmd` or `command` instead of `type` are read too.
 */
import { z } from 'zod';
import { InvalidCommandError } from './errors.js';
import { MAX_SEQ, STORABLE_ID } from './storable.js';

/** A release channel's name: the wire's id alphabet, so it is always safe inside a topic. */
export const ChannelName = z.string().regex(STORABLE_ID, 'a channel is 1–64 of [A-Za-z0-9._-]');

/** Go back to the previous model and block the release left. */
const Rollback = z.object({ type: z.literal('rollback') });
/** Follow another release channel's retained manifest (and report it in the state). */
const AssignChannel = z.object({ type: z.literal('assign-channel'), channel: ChannelName });
/**
 * Send again what the device still holds from `fromSeq` on. Acknowledged messages are deleted on their
 * PUBACK, so only unacknowledged ones can go again; the device reports how many it holds and how many of
 * that range are gone.
 */
const Resend = z.object({ type: z.literal('resend'), fromSeq: z.number().int().min(0).max(MAX_SEQ) });

/** What an operator asks of a device (`POST /devices/{id}/commands`), without the id the cloud adds. */
export const DeviceCommandBody = z.discriminatedUnion('type', [Rollback, AssignChannel, Resend]);
export type DeviceCommandBody = z.infer<typeof DeviceCommandBody>;

/** The id the cloud gives a command (a UUID), echoed in the device's state. */
export const CommandId = z.string().regex(STORABLE_ID);

const withId = { id: CommandId.optional() };
/** A command as published on the `cmd` topic: a body with an optional id. */
export const DeviceCommand = z.discriminatedUnion('type', [
  Rollback.extend(withId),
  AssignChannel.extend(withId),
  Resend.extend(withId),
]);
export type DeviceCommand = z.infer<typeof DeviceCommand>;

const LEGACY_NAME_KEYS = ['cmd', 'command'] as const;

/** Reads a `cmd` payload; throws only {@link InvalidCommandError}. */
export function parseDeviceCommand(payload: Uint8Array | string): DeviceCommand {
  let text: string;
  try {
    text = (
      typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: true }).decode(payload)
    ).trim();
  } catch {
    throw new InvalidCommandError('', 'not UTF-8');
  }
  const shown = text.slice(0, 200);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The first version's bare word.
    if (text === 'rollback') return { type: 'rollback' };
    throw new InvalidCommandError(shown, 'neither JSON nor a known bare command');
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('type' in value)) {
    const legacy = LEGACY_NAME_KEYS.map((k) => (value as Record<string, unknown>)[k]).find(
      (v) => v !== undefined,
    );
    if (legacy !== undefined) value = { ...value, type: legacy };
  }
  const parsed = DeviceCommand.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(command)'}: ${i.message}`);
    throw new InvalidCommandError(shown, issues.join('; '));
  }
  return parsed.data;
}

/** The `cmd` payload of a command (JSON). */
export function encodeDeviceCommand(command: DeviceCommand): string {
  return JSON.stringify(command);
}
