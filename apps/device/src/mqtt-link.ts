/**
 * The device's MQTT connection (mqtt.js v5 speaking MQTT 3.1.1, which aedes and mosquitto both accept,
 * or MQTT 5 on brokers that speak it): username = device id, password = its secret; a retained `offline`
 * state as last will; reconnects with exponential backoff; resubscribes after every reconnect. QoS 1
 * publishes resolve on PUBACK. With MQTT 5 a PUBACK saying "no matching subscribers" (0x10: the broker
 * dropped the message because no cloud instance was subscribed, e.g. right after a broker restart) is
 * not a delivery: the publish fails with {@link NoSubscribersError} and the message stays queued.
 * The same link serves Node (mqtt://, mqtts://) and a browser page (ws://, wss://): it imports no runtime.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceLink } from './core/ports.js';
import { CredentialsRefusedError, NoSubscribersError, SubscriptionRefusedError } from './errors.js';
import { type DeviceTlsOptions, explainTlsError, tlsConnectOptions } from './tls/tls-options.js';

export { NoSubscribersError } from './errors.js';

/** MQTT 5 PUBACK reason code 0x10. */
const NO_MATCHING_SUBSCRIBERS = 0x10;

/** SUBACK "failure" (3.1.1) / "unspecified error" (5): the subscription was refused. */
const SUBSCRIPTION_REFUSED = 0x80;

/**
 * A payload as mqtt.js takes it: a Buffer in Node (sharing the bytes); in a browser, whose mqtt.js
 * bundle brings its own Buffer, the string or view itself.
 */
function body(payload: Uint8Array | string): Buffer | string {
  if (typeof Buffer === 'undefined') return payload as Buffer | string;
  return typeof payload === 'string'
    ? Buffer.from(payload)
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/**
 * A SUBACK refusal as mqtt.js reports it: `subscribeAsync` rejects with the SUBACK packet (its `granted`
 * codes), the callback form with an Error whose code has bit 0x80 set.
 */
function isRefusal(error: Error): boolean {
  const { code, packet } = error as { code?: unknown; packet?: { granted?: unknown } };
  const granted = Array.isArray(packet?.granted) ? (packet.granted as unknown[]) : [code];
  return granted.some((g) => typeof g === 'number' && (g & SUBSCRIPTION_REFUSED) !== 0);
}

/** Options of `MqttLink.connect`. */
export interface MqttLinkOptions {
  /** `mqtt://host:port`, `mqtts://host:port`, `ws://host:port/path` or `wss://host:port/path`. */
  readonly brokerUrl: string;
  /** For mqtts:// and wss://: the CA the broker is verified against (always verified), client certificate. */
  readonly tls?: DeviceTlsOptions | undefined;
  readonly deviceId: string;
  readonly secret: string;
  /** Retained last will: topic and payload published by the broker if the link dies. */
  readonly will: { readonly topic: string; readonly payload: string };
  /**
   * MQTT version: 4 (3.1.1, the embedded broker's) or 5 (external brokers; lets the device see that a
   * broker acknowledged a message no subscriber received). Default 4.
   */
  readonly protocolVersion?: 4 | 5;
  /** Topics to subscribe (QoS 1) on every connect; a function is read again at each connect. */
  readonly subscriptions: readonly string[] | (() => readonly string[]);
  /** First reconnect delay in ms, doubled per failed attempt. Default 250. */
  readonly minReconnectMs?: number;
  /** Largest reconnect delay in ms. Default 15,000. */
  readonly maxReconnectMs?: number;
  /** Called on every (re)connect, after subscribing. */
  readonly onConnect?: () => void;
  /** Called when the connection closes. */
  readonly onClose?: () => void;
  /** Called with each message on a subscribed topic. */
  readonly onMessage?: (topic: string, payload: Uint8Array) => void;
  /**
   * Connection errors, which the link survives by reconnecting: CredentialsRefusedError (CONNACK 4 or
   * 5), SubscriptionRefusedError (then `onConnect` still follows), TLS errors explained.
   */
  readonly onError?: (error: Error) => void;
}

/** A reconnecting MQTT client of one device. */
export class MqttLink implements DeviceLink {
  private outage: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  /**
   * Packet ids whose PUBACK said "no matching subscribers". mqtt.js resolves such a publish like any
   * other (it hands back the sent packet, not the PUBACK), so the PUBACK is read as it arrives.
   */
  private readonly unrouted = new Set<number>();

  private constructor(private readonly client: MqttClient) {
    client.on('packetreceive', (packet) => {
      if (
        packet.cmd === 'puback' &&
        packet.reasonCode === NO_MATCHING_SUBSCRIBERS &&
        packet.messageId !== undefined
      )
        this.unrouted.add(packet.messageId);
    });
  }

  /** Starts connecting; resolves at once (the first connect is reported through `onConnect`). */
  static connect(options: MqttLinkOptions): MqttLink {
    const minMs = options.minReconnectMs ?? 250;
    const maxMs = options.maxReconnectMs ?? 15_000;
    const client = mqtt.connect(options.brokerUrl, {
      protocolVersion: options.protocolVersion ?? 4,
      clientId: `hl-dev-${options.deviceId}`,
      username: options.deviceId,
      // Empty with mutual TLS: the client certificate is the credential then.
      ...(options.secret ? { password: options.secret } : {}),
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: minMs,
      will: { topic: options.will.topic, payload: body(options.will.payload), qos: 1, retain: true },
      ...(options.tls ? tlsConnectOptions(options.tls) : {}),
    });
    client.on('connect', () => {
      client.options.reconnectPeriod = minMs;
      const wanted = options.subscriptions;
      const topics = [...(typeof wanted === 'function' ? wanted() : wanted)];
      if (topics.length === 0) {
        options.onConnect?.();
        return;
      }
      client.subscribeAsync(topics, { qos: 1 }).then(
        (granted) => {
          const refused = granted.filter((g) => g.qos === SUBSCRIPTION_REFUSED).map((g) => g.topic);
          if (refused.length > 0) options.onError?.(new SubscriptionRefusedError(refused));
          options.onConnect?.();
        },
        (error: Error) => {
          // mqtt.js rejects the whole SUBSCRIBE when the broker refused one of its topics: the others
          // were granted, so the link is up all the same.
          if (!isRefusal(error)) return options.onError?.(error);
          options.onError?.(new SubscriptionRefusedError(topics));
          options.onConnect?.();
        },
      );
    });
    client.on('close', () => {
      // mqtt.js reads reconnectPeriod when it schedules the next attempt: back off exponentially.
      client.options.reconnectPeriod = Math.min(
        maxMs,
        Math.max(minMs, (client.options.reconnectPeriod ?? minMs) * 2),
      );
      options.onClose?.();
    });
    client.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      const refused = code === 4 || code === 5;
      options.onError?.(
        refused
          ? new CredentialsRefusedError(options.deviceId, error.message)
          : explainTlsError(error, options.brokerUrl),
      );
    });
    client.on('message', (topic, payload) => options.onMessage?.(topic, new Uint8Array(payload)));
    return new MqttLink(client);
  }

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client.connected;
  }

  /** Publishes with QoS 1; resolves on the broker's PUBACK (mqtt.js resends it after a reconnect). */
  async publish(topic: string, payload: Uint8Array | string, retain = false): Promise<void> {
    const sent = await this.client.publishAsync(topic, body(payload), { qos: 1, retain });
    if (sent?.messageId !== undefined && this.unrouted.delete(sent.messageId))
      throw new NoSubscribersError(topic);
  }

  /**
   * Subscribes now (QoS 1); rejects with SubscriptionRefusedError when refused. Not connected: nothing to
   * do now, the next connect subscribes what `subscriptions()` names then.
   */
  async subscribe(topic: string): Promise<void> {
    if (!this.client.connected) return;
    const granted = await this.client.subscribeAsync(topic, { qos: 1 }).catch((error: Error) => {
      throw isRefusal(error) ? new SubscriptionRefusedError([topic]) : error;
    });
    if (granted.some((g) => g.qos === SUBSCRIPTION_REFUSED)) throw new SubscriptionRefusedError([topic]);
  }

  /** Unsubscribes now; when not connected there is nothing to undo (mqtt.js forgets it either way). */
  async unsubscribe(topic: string): Promise<void> {
    if (this.client.connected) await this.client.unsubscribeAsync(topic);
    else this.client.unsubscribe(topic);
  }

  /**
   * Simulates a network outage: the connection is dropped without a DISCONNECT (so the broker publishes
   * the last will, as it would for a lost link) and no reconnect is tried for `downMs`. Unacknowledged
   * publishes are the caller's to resend (the device's disk queue keeps them until PUBACK).
   */
  interrupt(downMs: number): void {
    if (this.ended || this.outage) return;
    this.client.end(true, () => {
      this.outage = setTimeout(() => {
        this.outage = undefined;
        if (!this.ended) this.client.reconnect();
      }, downMs);
    });
  }

  /** True while a simulated outage holds the link down. */
  get interrupted(): boolean {
    return this.outage !== undefined;
  }

  /** Closes the connection: politely (no last will) unless `force`. */
  async end(force = false): Promise<void> {
    this.ended = true;
    clearTimeout(this.outage);
    this.outage = undefined;
    await this.client.endAsync(force);
  }
}
