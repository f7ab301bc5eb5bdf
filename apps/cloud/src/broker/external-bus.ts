/**
 * The cloud's link to an external broker (`MQTT_URL`, e.g. mosquitto): one privileged mqtt.js client.
 * Embedding subscriptions go through `$share/cloud/…` so several cloud instances split the load.
 */
import mqtt from 'mqtt';
import type { MessageBus, MessageHandler } from './bus.js';

/** Options of {@link connectExternalBus}. */
export interface ExternalBusOptions {
  /** `mqtt://host:port` or `ws://…`. */
  readonly url: string;
  /** The cloud's broker user name. Default `cloud`. */
  readonly username?: string;
  readonly password?: string;
  /** Client id; must be unique per cloud instance. Default `hl-cloud-<random>`. */
  readonly clientId?: string;
  /** Shared-subscription group. Default `cloud`. */
  readonly shareGroup?: string;
}

/** Connects the privileged cloud client to an external broker. */
export async function connectExternalBus(options: ExternalBusOptions): Promise<MessageBus> {
  const client = await mqtt.connectAsync(options.url, {
    clientId: options.clientId ?? `hl-cloud-${Math.random().toString(36).slice(2, 10)}`,
    username: options.username ?? 'cloud',
    ...(options.password !== undefined ? { password: options.password } : {}),
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 1000,
  });
  const handlers: { filter: string; match: RegExp; handler: MessageHandler }[] = [];
  // Without manual acks mqtt.js acknowledges after the handler returns; the ingest queues the message
  // in memory, so a crash before the flush loses it: the device's own queue and (device, seq)
  // idempotency make the redelivery after reconnect safe.
  client.on('message', (topic, payload) => {
    for (const h of handlers) {
      if (h.match.test(topic)) void Promise.resolve(h.handler(topic, payload)).catch(() => undefined);
    }
  });
  return {
    kind: 'external',
    async subscribe(filter, handler, subscribeOptions = {}) {
      const pattern = filter
        .split('/')
        .map((level) =>
          level === '+' ? '[^/]+' : level === '#' ? '.*' : level.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      handlers.push({ filter, match: new RegExp(`^${pattern}$`), handler });
      const shared =
        filter.startsWith('hl/v1/dev/') && subscribeOptions.shared !== false
          ? `$share/${options.shareGroup ?? 'cloud'}/${filter}`
          : filter;
      await client.subscribeAsync(shared, { qos: 1 });
    },
    async publish(topic, payload, publishOptions = {}) {
      await client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), {
        qos: 1,
        retain: publishOptions.retain ?? false,
      });
    },
    async close() {
      await client.endAsync();
    },
  };
}
