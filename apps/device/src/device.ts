/**
 * A heartline device: source → pipeline → disk outbox → MQTT (QoS 1), with its state retained on the
 * broker and its model updated from the signed manifest of its channel. `start()` resumes whatever the
 * state directory holds (unsent messages, the sequence number, the active model); `stop()` stops reading
 * the source, tries to flush the queue, says goodbye (retained offline state) and releases the session.
 */
import type { KeyObject } from 'node:crypto';
import type { DeviceManifest } from '@heartline/model/onnx';
import type { EncoderRuntimeFactory } from '@heartline/model/runtime';
import type { PreprocessOptions } from '@heartline/model/signal';
import { type EmbeddingPrecision, TOPICS } from '@heartline/model/wire';
import { type DeviceStatus, offlineWill, stateMessage } from './device-state.js';
import { MqttLink, NoSubscribersError } from './mqtt-link.js';
import { Outbox } from './outbox/index.js';
import { createPipeline } from './pipeline.js';
import type { EcgSource } from './sources/index.js';
import { type DeviceTlsOptions, downloadModelWithTls } from './tls/device-tls.js';
import { ModelStore, ModelUpdater, type UpdateEvent } from './updates/index.js';
import { deviceAuthorization } from './updates/release-checks.js';
import { downloadModel } from './updates/verify-release.js';

/** Options of `Device`. */
export interface DeviceOptions {
  readonly deviceId: string;
  readonly secret: string;
  /** `mqtt://host:port`, or `mqtts://host:port` / `wss://host:port/mqtt` with `tls`. */
  readonly brokerUrl: string;
  /**
   * The CA the cloud's certificate must chain to (broker and HTTPS model downloads), and optionally the
   * device's client certificate. Default: none (the system's CAs for https downloads).
   */
  readonly tls?: DeviceTlsOptions | undefined;
  readonly source: EcgSource;
  /** Where the queue, the sequence number and the models live. */
  readonly stateDir: string;
  /** The provisioned Ed25519 public key releases must be signed with. */
  readonly publicKey: KeyObject;
  /** Creates encoder sessions (OnnxNodeEncoder.create in Node). */
  readonly createRuntime: EncoderRuntimeFactory;
  /** Release channel whose retained manifest is followed. Default 'stable'. */
  readonly channel?: string;
  /** A provisioned model, used when the state directory holds none. */
  readonly model?: {
    readonly release: string;
    readonly bytes: Uint8Array;
    readonly manifest?: DeviceManifest;
  };
  /** Stop reading the source after this many encoded windows. Default: never. */
  readonly windows?: number;
  /** Queue bound in bytes. Default 50 MB. */
  readonly maxQueueBytes?: number;
  /** fsync queue writes. Default true. */
  readonly fsync?: boolean;
  /** Unacknowledged publishes at once. Default 32. */
  readonly maxInFlight?: number;
  readonly precision?: EmbeddingPrecision;
  readonly preprocessing?: PreprocessOptions;
  /** How long `stop()` waits for the queue to drain, ms. Default 5,000. */
  readonly flushTimeoutMs?: number;
  /** Fastest state republish on counter changes, ms. Default 1,000. */
  readonly stateIntervalMs?: number;
  /**
   * A flaky network for demos and tests: every `everyMs` the link drops (no DISCONNECT, so the broker
   * sends the last will) and stays down for `downMs`. Default: a steady network.
   */
  readonly flakyNetwork?: { readonly everyMs: number; readonly downMs: number };
  /**
   * MQTT version: 4 (the embedded broker) or 5 (external brokers: a message the broker took while no
   * cloud instance was subscribed is kept and sent again). Default 4.
   */
  readonly mqttVersion?: 4 | 5;
  /** Reconnect backoff bounds. Defaults 250 / 15,000 ms. */
  readonly minReconnectMs?: number;
  readonly maxReconnectMs?: number;
  /** Called on every status change. */
  readonly onStatus?: (status: DeviceStatus) => void;
  /** One-line log messages (model events, link errors). */
  readonly log?: (line: string) => void;
}

/** How long the sender waits after a message no subscriber received, ms. */
const NO_SUBSCRIBER_PAUSE_MS = 250;

/** A running device. */
export class Device {
  private outbox!: Outbox;
  private updater!: ModelUpdater;
  private link: MqttLink | undefined;
  private readonly abort = new AbortController();
  private pump: Promise<void> = Promise.resolve();
  private wakeSender: () => void = () => undefined;
  private senderRunning = false;
  /** No send before this `Date.now()` (after the broker had no subscriber for a message). */
  private pauseUntil = 0;
  private inFlight = 0;
  private stopped = false;
  private counters = { encoded: 0, skipped: 0, sent: 0 };
  private last: { t0?: number; quality?: number } = {};
  private stateTimer: NodeJS.Timeout | undefined;
  private flakyTimer: NodeJS.Timeout | undefined;
  private lastStateAt = 0;
  private sourceDone = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: DeviceOptions) {}

  /** The current counters and model. */
  get status(): DeviceStatus {
    const releases = this.updater?.releases ?? { current: undefined, previous: undefined };
    return {
      deviceId: this.options.deviceId,
      online: !this.stopped,
      connected: this.link?.connected ?? false,
      release: releases.current,
      previousRelease: releases.previous,
      ...this.counters,
      queued: this.outbox?.depth ?? 0,
      dropped: this.outbox?.dropped ?? 0,
      nextSeq: this.outbox?.sequence ?? 0,
      lastWindowT0: this.last.t0,
      quality: this.last.quality,
      update: this.updater?.lastEvent,
    };
  }

  /** The model updater (for rollbacks from code and tests). */
  get models(): ModelUpdater {
    return this.updater;
  }

  /** Opens the state, loads a model, connects and starts encoding and sending. */
  async start(): Promise<void> {
    const o = this.options;
    const log = o.log ?? (() => undefined);
    this.outbox = await Outbox.open(o.stateDir, {
      ...(o.maxQueueBytes === undefined ? {} : { maxQueueBytes: o.maxQueueBytes }),
      ...(o.fsync === undefined ? {} : { fsync: o.fsync }),
    });
    const store = await ModelStore.open(o.stateDir);
    // Model files are served to the fleet's devices: downloads carry the device's credentials.
    const authorization = deviceAuthorization(o.deviceId, o.secret);
    this.updater = new ModelUpdater({
      store,
      publicKey: o.publicKey,
      createRuntime: o.createRuntime,
      download: (manifest) =>
        o.tls
          ? downloadModelWithTls(manifest, o.tls, 60_000, authorization)
          : downloadModel(manifest, 60_000, authorization),
      onEvent: (event) => {
        log(describeEvent(event));
        this.changed(true);
      },
    });
    if (!(await this.updater.loadStored()) && o.model) {
      await this.updater.provision(o.model.release, o.model.bytes, o.model.manifest);
    }
    const channel = o.channel ?? 'stable';
    this.link = MqttLink.connect({
      brokerUrl: o.brokerUrl,
      deviceId: o.deviceId,
      secret: o.secret,
      ...(o.tls ? { tls: o.tls } : {}),
      will: { topic: TOPICS.state(o.deviceId), payload: offlineWill(o.deviceId) },
      subscriptions: [TOPICS.release(channel), TOPICS.command(o.deviceId)],
      ...(o.mqttVersion === undefined ? {} : { protocolVersion: o.mqttVersion }),
      ...(o.minReconnectMs === undefined ? {} : { minReconnectMs: o.minReconnectMs }),
      ...(o.maxReconnectMs === undefined ? {} : { maxReconnectMs: o.maxReconnectMs }),
      onConnect: () => {
        log(`connected to ${o.brokerUrl}`);
        this.changed(true);
        this.wakeSender();
      },
      onClose: () => this.changed(false),
      onError: (error) => log(`mqtt: ${error.message}`),
      onMessage: (topic, payload) => {
        if (topic === TOPICS.release(channel)) void this.updater.handleManifest(payload);
        else if (topic === TOPICS.command(o.deviceId)) void this.handleCommand(payload);
      },
    });
    if (o.flakyNetwork) {
      const { everyMs, downMs } = o.flakyNetwork;
      this.flakyTimer = setInterval(() => {
        log(`network: simulated outage for ${downMs} ms`);
        this.link?.interrupt(downMs);
      }, everyMs);
    }
    this.pump = this.runPump().catch((error: unknown) => {
      log(`source stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
    void this.runSender();
  }

  /** Resolves when the source has ended (or `windows` were encoded) and every message is acknowledged. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops: no new windows, flushes for up to `flushTimeoutMs`, publishes the offline state, disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.abort.abort();
    clearInterval(this.flakyTimer);
    await this.pump;
    await this.outbox.flush();
    const deadline = this.options.flushTimeoutMs ?? 5000;
    if (this.outbox.depth > 0 && this.link?.connected) {
      await Promise.race([this.idle(), new Promise((r) => setTimeout(r, deadline))]);
    }
    this.stopped = true;
    clearTimeout(this.stateTimer);
    this.wakeSender();
    if (this.link?.connected) {
      await Promise.race([
        this.link
          .publish(TOPICS.state(this.options.deviceId), stateMessage(this.status), true)
          .catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
    }
    await this.link?.end(!this.link.connected);
    await this.updater.release();
  }

  private async runPump(): Promise<void> {
    const o = this.options;
    await Promise.race([this.updater.ready, abortPromise(this.abort.signal)]);
    const encoder = this.updater.encoder;
    if (this.abort.signal.aborted || !encoder) return;
    const pipeline = createPipeline({
      deviceId: o.deviceId,
      encoder,
      ...(o.preprocessing ? { preprocessing: o.preprocessing } : {}),
      ...(o.precision ? { precision: o.precision } : {}),
    });
    if (o.windows === undefined || this.counters.encoded < o.windows) {
      for await (const window of o.source.windows(this.abort.signal)) {
        let result: Awaited<ReturnType<typeof pipeline>>;
        try {
          result = await pipeline(window);
        } catch (error) {
          // The model in use fails at run time: go back to the previous one and keep the window.
          const why = `run failed: ${error instanceof Error ? error.message : String(error)}`;
          const event = await this.updater.rollback(why);
          if (event.kind !== 'rolled-back') throw error;
          result = await pipeline(window);
        }
        this.last = { t0: window.t0, quality: result.quality };
        if (!result.ok) {
          this.counters.skipped++;
        } else {
          await this.outbox.append(result.window.encode);
          this.counters.encoded++;
          this.wakeSender();
        }
        this.changed(false);
        if (o.windows !== undefined && this.counters.encoded >= o.windows) break;
      }
    }
    this.sourceDone = true;
    this.checkIdle();
  }

  private async runSender(): Promise<void> {
    if (this.senderRunning) return;
    this.senderRunning = true;
    const max = this.options.maxInFlight ?? 32;
    const topic = TOPICS.embedding(this.options.deviceId);
    while (!this.stopped) {
      const link = this.link;
      const pause = this.pauseUntil - Date.now();
      if (pause > 0) {
        await new Promise((resolve) => setTimeout(resolve, pause));
        continue;
      }
      const room = max - this.inFlight;
      const batch = link?.connected && room > 0 ? await this.outbox.take(room) : [];
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeSender = resolve;
        });
        continue;
      }
      for (const message of batch) {
        this.inFlight++;
        link!
          .publish(topic, message.payload)
          .then(
            async () => {
              await this.outbox.ack(message.seq);
              this.counters.sent++;
              this.changed(false);
            },
            (error: unknown) => {
              this.outbox.nack(message.seq);
              // Nobody received it (no cloud subscribed yet): wait before sending again.
              if (error instanceof NoSubscribersError) this.pauseUntil = Date.now() + NO_SUBSCRIBER_PAUSE_MS;
            },
          )
          .finally(() => {
            this.inFlight--;
            this.checkIdle();
            this.wakeSender();
          });
      }
    }
    this.senderRunning = false;
  }

  private async handleCommand(payload: Uint8Array): Promise<void> {
    const text = new TextDecoder().decode(payload).trim();
    let command: string | undefined = text;
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const value = parsed['type'] ?? parsed['cmd'] ?? parsed['command'];
      command = typeof value === 'string' ? value : undefined;
    } catch {
      // A bare word is a command too.
    }
    if (command === 'rollback') await this.updater.rollback('rollback command');
    else this.options.log?.(`command ignored: ${text.slice(0, 80)}`);
  }

  private isIdle(): boolean {
    return this.sourceDone && (this.outbox?.depth ?? 0) === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Reports a change: status callback now; the retained state at once when `urgent`, else throttled. */
  private changed(urgent: boolean): void {
    const status = this.status;
    this.options.onStatus?.(status);
    if (this.stopped || !this.link?.connected) return;
    const interval = this.options.stateIntervalMs ?? 1000;
    const wait = urgent ? 0 : Math.max(0, this.lastStateAt + interval - Date.now());
    if (this.stateTimer && !urgent) return;
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      this.lastStateAt = Date.now();
      if (this.stopped || !this.link?.connected) return;
      this.link
        .publish(TOPICS.state(this.options.deviceId), stateMessage(this.status), true)
        .catch(() => undefined);
    }, wait);
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** One log line per model event. */
export function describeEvent(event: UpdateEvent): string {
  switch (event.kind) {
    case 'installed':
      return `model ${event.release} installed${event.previous ? ` (previous ${event.previous})` : ''}`;
    case 'refused':
      return `model ${event.release} refused [${event.reason}]: ${event.detail}`;
    case 'rolled-back':
      return `model rolled back from ${event.from} to ${event.to}: ${event.why}`;
    case 'rollback-failed':
      return `rollback from ${event.from} failed: ${event.why}`;
  }
}
