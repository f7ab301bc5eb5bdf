/**
 * Topic rules for devices (DESIGN.md, "The wire"): a device publishes only its own embeddings and state,
 * and subscribes only to its channel's release topic and its own command topic. Wildcards are refused so
 * a filter can never reach another device. The cloud's own client is privileged and not checked here.
 */
import { TOPICS } from '@heartline/contract';

/** Whether device `deviceId` may publish to `topic`. */
export function devicePublishAllowed(deviceId: string, topic: string): boolean {
  return topic === TOPICS.embedding(deviceId) || topic === TOPICS.state(deviceId);
}

/** Whether device `deviceId` on release channel `channel` may subscribe to `filter`. */
export function deviceSubscribeAllowed(deviceId: string, channel: string, filter: string): boolean {
  return filter === TOPICS.release(channel) || filter === TOPICS.command(deviceId);
}

/**
 * Whether an MQTT client id belongs to `deviceId`, so no device can take over another's session: exactly
 * `hl-dev-<deviceId>`, one client id per device and one device per client id. (Accepting the bare id too
 * let device `hl-dev-x` use client id `hl-dev-x`, device `x`'s, and disconnect it.)
 */
export function clientIdAllowed(deviceId: string, clientId: string): boolean {
  return clientId === `hl-dev-${deviceId}`;
}
