/**
 * The cloud's link to an external broker (`MQTT_URL`, e.g. mosquitto): one privileged mqtt.js client.
 * Embedding subscriptions go through `$share/cloud/…` so several cloud instances split the load.
 *
 * The guarantee on this path: the client acknowledges a QoS 1 delivery (PUBACK to the broker) only after
 * the handlers have finished, i.e. after the ingest stored or refused the message; its session is
 * persistent (a stable client id per instance, `clean: false`, a session expiry), so deliveries the
 * broker sent but never saw acknowledged are sent again when the instance reconnects or restarts. The
 * device in turn is acknowledged by the broker when the broker has the message (with mosquitto's
 * persistence on, across a broker restart too): between them nothing acknowledged is lost, and a
 * redelivery is harmless because the database stores by (device, seq).
 */
import mqtt, { type IPublishPacket, type Packet } from 'mqtt';
import type { MessageBus } from './bus.js';
import { TopicHandlers } from './topic-handlers.js';

/** Options of {@link connectExternalBus}. */
export interface ExternalBusOptions {
  /** `mqtt://host:port` or `ws://…`. */
  readonly url: string;
  /** The cloud's broker user name. Default `cloud`. */
  readonly username?: string;
  readonly password?: string;
  /**
   * Client id; must be unique per cloud instance and stable across its restarts (its session, with the
   * deliveries not yet acknowledged, is kept under it). Default `hl-cloud-<random>` (no redelivery
   * after a restart).
   */
  readonly clientId?: string;
  /** How long the broker keeps this instance's session while it is away, s. Default 86,400. */
  readonly sessionExpirySeconds?: number;
  /** Shared-subscription group. Default `cloud`. */
  readonly shareGroup?: string;
}

/** The cloud's link to an external broker. */
export interface ExternalBus extends MessageBus {
  /** Whether the link is up now (mqtt.js reconnects by itself after a loss). */
  readonly connected: boolean;
}

/** Connects the privileged cloud client to an external broker. */
export async function connectExternalBus(options: ExternalBusOptions): Promise<ExternalBus> {
  // The client is made without waiting for its CONNACK, so the delivery handling below is in place
  // before the first packet is read: a resumed session's deliveries follow the CONNACK in the same read,
  // and mqtt.js' default handling would acknowledge them at once, unstored (they were lost whenever an
  // instance restarted while the broker held deliveries for it).
  const client = mqtt.connect(options.url, {
    clientId: options.clientId ?? `hl-cloud-${Math.random().toString(36).slice(2, 10)}`,
    username: options.username ?? 'cloud',
    ...(options.password !== undefined ? { password: options.password } : {}),
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? 86_400 },
    reconnectPeriod: 1000,
  });
  const handlers = new TopicHandlers();
  // A persistent session's deliveries may arrive right after CONNACK, before `subscribe` named their
  // handler: they wait here (unacknowledged) until it does.
  const early: { topic: string; payload: Uint8Array; handled: () => void }[] = [];
  const run = (topic: string, payload: Uint8Array): Promise<unknown> =>
    handlers.deliver(topic, payload) ??
    new Promise<void>((handled) => early.push({ topic, payload, handled }));
  // mqtt.js sends a delivery's PUBACK as soon as `handleMessage` calls back, and reads the next packet
  // only then. To store before acknowledging without handling one message at a time, `handleMessage`
  // starts the handlers and calls back at once, and the PUBACK mqtt.js then sends for that packet id is
  // held until they are done. A PUBACK is sent only on the connection its delivery came on: after a
  // reconnect the broker resends the delivery (persistent session) and may reuse the id for another.
  const held = new Map<number, { work: Promise<unknown>; stream: unknown }>();
  client.handleMessage = (packet: Packet, callback: (error?: Error) => void) => {
    if (packet.cmd === 'publish') {
      const publish = packet as IPublishPacket;
      const work = run(publish.topic, publish.payload as Uint8Array);
      if (publish.qos > 0 && publish.messageId !== undefined)
        held.set(publish.messageId, { work, stream: client.stream });
    }
    callback();
  };
  const internals = client as unknown as {
    _sendPacket(packet: Packet, callback?: (error?: Error) => void, storePut?: () => void): void;
  };
  const sendPacket = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, callback, storePut) => {
    const hold =
      packet.cmd === 'puback' && packet.messageId !== undefined ? held.get(packet.messageId) : undefined;
    if (!hold) {
      sendPacket(packet, callback, storePut);
      return;
    }
    held.delete(packet.messageId!);
    callback?.();
    void hold.work.then(() => {
      if (client.connected && client.stream === hold.stream) sendPacket(packet);
    });
  };
  await new Promise<void>((connected, failed) => {
    const onError = (error: Error) => {
      client.off('connect', onConnect);
      client.end(true);
      failed(error);
    };
    const onConnect = () => {
      client.off('error', onError);
      connected();
    };
    client.once('connect', onConnect);
    client.once('error', onError);
  });
  // mqtt.js resubscribes after a reconnect only when the broker lost the session; a broker restored
  // from its persistence may say the session is there without its shared subscriptions (mosquitto
  // does), so every reconnect subscribes again (an MQTT SUBSCRIBE of a held filter replaces it).
  // The listener is added after the first CONNACK: every 'connect' here is a reconnect.
  const subscribed: string[] = [];
  client.on('connect', () => {
    if (subscribed.length === 0) return;
    // `resubscribe: true` makes mqtt.js send it although it believes the filters are held.
    const filters = Object.fromEntries(subscribed.map((filter) => [filter, { qos: 1 as const }]));
    client.subscribe(
      { ...filters, resubscribe: true } as unknown as Record<string, { qos: 1 }>,
      () => undefined,
    );
  });
  return {
    kind: 'external',
    get connected() {
      return client.connected;
    },
    async subscribe(filter, handler, subscribeOptions = {}) {
      const matches = handlers.add(filter, handler);
      for (const waiting of early.filter((e) => matches(e.topic))) {
        early.splice(early.indexOf(waiting), 1);
        void handlers.deliver(waiting.topic, waiting.payload)?.then(waiting.handled);
      }
      const shared =
        filter.startsWith('hl/v1/dev/') && subscribeOptions.shared !== false
          ? `$share/${options.shareGroup ?? 'cloud'}/${filter}`
          : filter;
      await client.subscribeAsync(shared, { qos: 1 });
      subscribed.push(shared);
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
