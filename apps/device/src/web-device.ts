/**
 * A heartline device for the browser: the Node device's pipeline (preprocessing, lead mask, encoder,
 * CBOR embedding message) and model checks, with what a page has instead of a disk: MQTT over WebSocket,
 * models held in memory (WebModelUpdater), a bounded in-memory queue, and the sequence number kept in a
 * small key-value store (localStorage) so it survives reloads. Unsent messages do not survive a reload.
 */
import type { EncoderRuntimeFactory } from '@heartline/model/runtime';
import type { PreprocessOptions } from '@heartline/model/signal';
import { TOPICS } from '@heartline/model/wire';
import mqtt, { type MqttClient } from 'mqtt';
import { type DeviceStatus, offlineWill, stateMessage } from './device-state.js';
import { createPipeline, type PipelineResult } from './pipeline.js';
import type { EcgSource, EcgWindow } from './sources/ecg-source.js';
import type { UpdateEvent } from './updates/model-updater.js';
import { deviceAuthorization, fetchModel } from './updates/release-checks.js';
import { WebModelUpdater } from './updates/web-model-updater.js';

/** Where a device's next sequence number is kept (localStorage in a page). */
export interface SequenceStore {
  /** The next seq of `deviceId` (0 when none was stored). */
  load(deviceId: string): number;
  /** Remembers the next seq of `deviceId`. */
  save(deviceId: string, next: number): void;
}

/** A SequenceStore on a Web Storage object (e.g. `localStorage`), under `heartline.seq.<deviceId>`. */
export function storageSequence(storage: Pick<Storage, 'getItem' | 'setItem'>): SequenceStore {
  const key = (deviceId: string) => `heartline.seq.${deviceId}`;
  return {
    load(deviceId) {
      const value = Number(storage.getItem(key(deviceId)) ?? 0);
      return Number.isSafeInteger(value) && value >= 0 ? value : 0;
    },
    save(deviceId, next) {
      storage.setItem(key(deviceId), String(next));
    },
  };
}

/** One message the broker acknowledged. */
export interface SentMessage {
  readonly seq: number;
  readonly bytes: number;
  readonly t0: number;
  readonly release: string;
}

/** Options of `WebDevice`. */
export interface WebDeviceOptions {
  readonly deviceId: string;
  readonly secret: string;
  /** `ws://host:port/mqtt` (or `wss://`). */
  readonly brokerUrl: string;
  /** Release channel whose retained manifest is followed. Default 'stable'. */
  readonly channel?: string;
  /** The Ed25519 key releases must be signed with (see `importEd25519PublicKey`). */
  readonly publicKey: CryptoKey;
  /** Creates encoder sessions (OnnxWebEncoder.create). */
  readonly createRuntime: EncoderRuntimeFactory;
  readonly sequence: SequenceStore;
  readonly preprocessing?: PreprocessOptions;
  /** Messages kept while offline; the oldest is dropped beyond it. Default 1,000. */
  readonly maxQueue?: number;
  /** Unacknowledged publishes at once. Default 8. */
  readonly maxInFlight?: number;
  /** Called on every status change. */
  readonly onStatus?: (status: DeviceStatus) => void;
  /** Called with every window read from the source (raw, for display; it never leaves the page). */
  readonly onWindow?: (window: EcgWindow, result: PipelineResult) => void;
  /** Called when the broker acknowledged a message. */
  readonly onSent?: (message: SentMessage) => void;
  /** One-line log messages. */
  readonly log?: (line: string) => void;
}

/** Raised when the broker refuses the device's credentials (MQTT CONNACK 4 or 5). */
export class CredentialsRefusedError extends Error {
  readonly code = 'CREDENTIALS_REFUSED';
  constructor(deviceId: string, detail: string) {
    super(`the broker refused device ${JSON.stringify(deviceId)}: ${detail}; check the device id and secret`);
  }
}

interface Queued {
  readonly seq: number;
  readonly payload: Uint8Array;
  readonly t0: number;
  readonly release: string;
}

/** A running browser device. */
export class WebDevice {
  private client: MqttClient | undefined;
  private readonly updater: WebModelUpdater;
  private queue: Queued[] = [];
  private inFlight = 0;
  private nextSeq: number;
  private counters = { encoded: 0, skipped: 0, sent: 0, dropped: 0 };
  private last: { t0?: number; quality?: number } = {};
  private abort: AbortController | undefined;
  private pump: Promise<void> = Promise.resolve();
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: WebDeviceOptions) {
    this.nextSeq = options.sequence.load(options.deviceId);
    const authorization = deviceAuthorization(options.deviceId, options.secret);
    this.updater = new WebModelUpdater({
      publicKey: options.publicKey,
      download: (manifest) => fetchModel(manifest, 60_000, authorization),
      createRuntime: options.createRuntime,
      onEvent: (event) => {
        this.log(describeUpdate(event));
        this.changed();
      },
    });
  }

  /** Counters, queue and model. */
  get status(): DeviceStatus {
    const { current, previous } = this.updater.releases;
    return {
      deviceId: this.options.deviceId,
      online: !this.closed,
      connected: this.client?.connected ?? false,
      release: current,
      previousRelease: previous,
      encoded: this.counters.encoded,
      skipped: this.counters.skipped,
      sent: this.counters.sent,
      queued: this.queue.length + this.inFlight,
      dropped: this.counters.dropped,
      nextSeq: this.nextSeq,
      lastWindowT0: this.last.t0,
      quality: this.last.quality,
      update: this.updater.lastEvent,
    };
  }

  /** True while a source is being read. */
  get running(): boolean {
    return this.abort !== undefined;
  }

  /**
   * Connects and subscribes to the channel's manifest and the device's commands. Resolves on the first
   * connection; rejects with CredentialsRefusedError (and stops reconnecting) when the broker refuses
   * the credentials, or with an Error when a subscription is refused (the device is on another channel).
   */
  connect(): Promise<void> {
    const o = this.options;
    const channel = o.channel ?? 'stable';
    const subscriptions = [TOPICS.release(channel), TOPICS.command(o.deviceId)];
    const client = mqtt.connect(o.brokerUrl, {
      protocolVersion: 4,
      clientId: `hl-dev-${o.deviceId}`,
      username: o.deviceId,
      password: o.secret,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: 1000,
      will: { topic: TOPICS.state(o.deviceId), payload: offlineWill(o.deviceId), qos: 1, retain: true },
    });
    this.client = client;
    return new Promise((resolve, reject) => {
      let first = true;
      client.on('connect', () => {
        client.subscribeAsync(subscriptions, { qos: 1 }).then(
          (granted) => {
            const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
            if (refused.length > 0) {
              const error = new Error(
                `the broker refused the subscription to ${refused.join(', ')}: is the device on channel "${channel}"?`,
              );
              this.log(error.message);
              if (first) reject(error);
              first = false;
              return;
            }
            this.log(`connected to ${o.brokerUrl}, following ${TOPICS.release(channel)}`);
            if (first) resolve();
            first = false;
            this.changed(true);
            this.send();
          },
          (error: Error) => this.log(`subscribe failed: ${error.message}`),
        );
      });
      client.on('close', () => this.changed());
      client.on('error', (error) => {
        const code = (error as { code?: unknown }).code;
        if (code === 4 || code === 5) {
          const refused = new CredentialsRefusedError(o.deviceId, error.message);
          this.log(refused.message);
          client.end(true);
          if (first) reject(refused);
          first = false;
          return;
        }
        this.log(`mqtt: ${error.message}`);
      });
      client.on('message', (topic, payload) => {
        if (topic === TOPICS.release(channel)) void this.updater.handleManifest(new Uint8Array(payload));
        else this.log(`command ignored (a browser device keeps no previous model): ${payload.toString()}`);
      });
    });
  }

  /** Starts encoding `source` once a model is in use; a running source is stopped first. */
  async start(source: EcgSource): Promise<void> {
    await this.stopSource();
    const abort = new AbortController();
    this.abort = abort;
    this.log(`source ${source.name}: waiting for a model`);
    this.pump = this.runPump(source, abort.signal).catch((error: unknown) => {
      this.log(`source stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.changed();
  }

  /** Stops reading the source (queued messages keep being sent). */
  async stopSource(): Promise<void> {
    this.abort?.abort();
    await this.pump;
    this.abort = undefined;
    this.changed();
  }

  /** Stops the source, publishes the offline state and disconnects; releases the session. */
  async close(): Promise<void> {
    await this.stopSource();
    this.closed = true;
    clearTimeout(this.stateTimer);
    const client = this.client;
    if (client?.connected) {
      await Promise.race([
        client
          .publishAsync(TOPICS.state(this.options.deviceId), stateMessage(this.status), {
            qos: 1,
            retain: true,
          })
          .catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
    }
    await client?.endAsync(!client.connected);
    await this.updater.release();
  }

  private async runPump(source: EcgSource, signal: AbortSignal): Promise<void> {
    await Promise.race([
      this.updater.ready,
      new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
    const encoder = this.updater.encoder;
    if (signal.aborted || !encoder) return;
    this.log(`source ${source.name}: encoding with release ${encoder.label}`);
    const pipeline = createPipeline({
      deviceId: this.options.deviceId,
      encoder,
      ...(this.options.preprocessing ? { preprocessing: this.options.preprocessing } : {}),
    });
    for await (const window of source.windows(signal)) {
      const result = await pipeline(window);
      this.last = { t0: window.t0, quality: result.quality };
      if (result.ok) {
        const seq = this.nextSeq++;
        // The seq is taken before the message exists anywhere, so a reload never reuses it.
        this.options.sequence.save(this.options.deviceId, this.nextSeq);
        const { message } = result.window;
        this.enqueue({ seq, payload: result.window.encode(seq), t0: message.t0, release: message.release });
        this.counters.encoded++;
      } else {
        this.counters.skipped++;
        this.log(`window ${window.index} skipped: ${result.reason}`);
      }
      this.options.onWindow?.(window, result);
      this.changed();
      this.send();
      // Let the page paint between windows of a fast replay.
      await new Promise((r) => setTimeout(r, 0));
    }
    this.log(`source ${source.name} ${signal.aborted ? 'stopped' : 'ended'}`);
  }

  private enqueue(message: Queued): void {
    this.queue.push(message);
    const max = this.options.maxQueue ?? 1000;
    while (this.queue.length > max) {
      this.queue.shift();
      this.counters.dropped++;
    }
  }

  private send(): void {
    const client = this.client;
    const max = this.options.maxInFlight ?? 8;
    const topic = TOPICS.embedding(this.options.deviceId);
    while (client?.connected && this.inFlight < max && this.queue.length > 0) {
      const message = this.queue.shift() as Queued;
      this.inFlight++;
      client
        .publishAsync(topic, message.payload as Buffer, { qos: 1 })
        .then(
          () => {
            this.counters.sent++;
            this.options.onSent?.({
              seq: message.seq,
              bytes: message.payload.byteLength,
              t0: message.t0,
              release: message.release,
            });
          },
          () => {
            // Not acknowledged: back in the queue, in seq order, for the next connection.
            this.queue.unshift(message);
            this.queue.sort((a, b) => a.seq - b.seq);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.changed();
          this.send();
        });
    }
  }

  /** Status callback now; the retained state at most once a second (at once when `urgent`). */
  private changed(urgent = false): void {
    this.options.onStatus?.(this.status);
    if (this.closed || (this.stateTimer && !urgent)) return;
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(
      () => {
        this.stateTimer = undefined;
        const client = this.client;
        if (this.closed || !client?.connected) return;
        client
          .publishAsync(TOPICS.state(this.options.deviceId), stateMessage(this.status), {
            qos: 1,
            retain: true,
          })
          .catch(() => undefined);
      },
      urgent ? 0 : 1000,
    );
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** One log line per model event. */
export function describeUpdate(event: UpdateEvent): string {
  switch (event.kind) {
    case 'installed':
      return `model ${event.release} installed (signature, sha256 and self-test passed)${event.previous ? `, previous ${event.previous}` : ''}`;
    case 'refused':
      return `model ${event.release} refused [${event.reason}]: ${event.detail}`;
    case 'rolled-back':
      return `model rolled back from ${event.from} to ${event.to}: ${event.why}`;
    case 'rollback-failed':
      return `rollback from ${event.from} failed: ${event.why}`;
  }
}
