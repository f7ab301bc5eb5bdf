/**
 * The heartline device, once for Node and the browser: source → pipeline → outbox → link (QoS 1), with
 * its state retained on the broker, its model updated from the signed manifest of its channel and the
 * commands of its `cmd` topic obeyed. Everything runtime-specific comes in as a `DeviceEnvironment`.
 * `start()` resumes what the environment holds (unsent messages, the sequence number, the active model)
 * and connects; `read(source)` encodes a source (a running one is stopped first); `stop()` stops
 * reading, tries to flush the queue, says goodbye (retained offline state) and releases the session.
 */
import type { DeviceManifest } from '@heartline/model/onnx';
import type { PreprocessOptions } from '@heartline/model/signal';
import { decodeEmbeddingMessage, type EmbeddingPrecision, TOPICS } from '@heartline/model/wire';
import { type DeviceStatus, offlineWill, stateMessage } from '../device-state.js';
import { CredentialsRefusedError, NoSubscribersError, SubscriptionRefusedError } from '../errors.js';
import { createPipeline, type PipelineResult } from '../pipeline.js';
import type { EcgSource, EcgWindow } from '../sources/ecg-source.js';
import { describeEvent, ModelUpdater } from '../updates/model-updater.js';
import { systemClock } from './clock.js';
import { parseCommand } from './commands.js';
import type { Clock, DeviceEnvironment, DeviceLink, MessageOutbox, TimerHandle } from './ports.js';

/** One message the broker acknowledged. */
export interface SentMessage {
  readonly seq: number;
  readonly bytes: number;
  readonly t0: number;
  readonly release: string;
}

/** Options of the core `Device`. */
export interface DeviceOptions {
  readonly deviceId: string;
  /** Outbox, model store, crypto, encoder runtime, download, link and clock of the runtime. */
  readonly environment: DeviceEnvironment;
  /** Read from `start()` on. Default: none until `read(source)`. */
  readonly source?: EcgSource | undefined;
  /** Release channel whose retained manifest is followed. Default 'stable'. */
  readonly channel?: string;
  /** A provisioned model, used when the model store holds none. */
  readonly model?: {
    readonly release: string;
    readonly bytes: Uint8Array;
    readonly manifest?: DeviceManifest;
  };
  /** Stop reading the source after this many encoded windows. Default: never. */
  readonly windows?: number;
  /** Unacknowledged publishes at once, at least 1. Default 32. */
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
  readonly flakyNetwork?: { readonly everyMs: number; readonly downMs: number } | undefined;
  /** Called on every status change. */
  readonly onStatus?: (status: DeviceStatus) => void;
  /** Called with every window read (raw, for display; it never leaves the device) and its result. */
  readonly onWindow?: (window: EcgWindow, result: PipelineResult) => void;
  /** Called when the broker acknowledged a message. */
  readonly onSent?: (message: SentMessage) => void;
  /** One-line log messages (model events, link errors, sources). */
  readonly log?: (line: string) => void;
}

/** How long the sender waits after a message no subscriber received, ms. */
const NO_SUBSCRIBER_PAUSE_MS = 250;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A running device. */
export class Device {
  private outbox: MessageOutbox | undefined;
  private updater: ModelUpdater | undefined;
  private link: DeviceLink | undefined;
  private readonly clock: Clock;
  private readonly channel: string;
  private reading: { abort: AbortController; done: Promise<void> } | undefined;
  private wakeSender: () => void = () => undefined;
  private senderRunning = false;
  /** No send before this `clock.now()` (after the broker had no subscriber for a message). */
  private pauseUntil = 0;
  private inFlight = 0;
  private stopped = false;
  private counters = { encoded: 0, skipped: 0, sent: 0 };
  private last: { t0?: number; quality?: number } = {};
  private stateTimer: TimerHandle | undefined;
  private flakyTimer: TimerHandle | undefined;
  private lastStateAt = 0;
  private sourceDone = false;
  private idleWaiters: (() => void)[] = [];
  private firstConnect: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readonly firstConnection: Promise<void>;

  constructor(private readonly options: DeviceOptions) {
    const max = options.maxInFlight ?? 32;
    if (!(Number.isInteger(max) && max >= 1))
      throw new RangeError(`maxInFlight: must be an integer ≥ 1, got ${String(options.maxInFlight)}`);
    this.clock = options.environment.clock ?? systemClock;
    this.channel = options.channel ?? 'stable';
    this.firstConnection = new Promise<void>((resolve, reject) => {
      this.firstConnect = { resolve, reject };
    });
    // Nobody may ask (a Node device reconnects until it gets in): not an unhandled rejection.
    this.firstConnection.catch(() => undefined);
  }

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

  /** The model updater (for rollbacks from code and tests); set by `start()`. */
  get models(): ModelUpdater {
    if (!this.updater) throw new Error('the device has not been started: call start() first');
    return this.updater;
  }

  /** True while a source is being read. */
  get running(): boolean {
    return this.reading !== undefined;
  }

  /** Opens outbox and model store, loads a model, connects, and reads `options.source` if given. */
  async start(): Promise<void> {
    const o = this.options;
    const env = o.environment;
    const log = (line: string) => o.log?.(line);
    this.outbox = await env.openOutbox();
    const updater = new ModelUpdater({
      store: await env.openModels(),
      crypto: env.crypto,
      createRuntime: env.createRuntime,
      download: env.download,
      onEvent: (event) => {
        log(describeEvent(event));
        this.changed(true);
      },
    });
    this.updater = updater;
    if (!(await updater.loadStored()) && o.model) {
      await updater.provision(o.model.release, o.model.bytes, o.model.manifest);
    }
    this.link = env.connect({
      will: { topic: TOPICS.state(o.deviceId), payload: offlineWill(o.deviceId) },
      subscriptions: [TOPICS.release(this.channel), TOPICS.command(o.deviceId)],
      onConnect: () => {
        log(`connected, following ${TOPICS.release(this.channel)}`);
        this.firstConnect?.resolve();
        this.firstConnect = undefined;
        this.changed(true);
        this.wakeSender();
      },
      onClose: () => this.changed(false),
      onError: (error) => {
        log(`mqtt: ${error.message}`);
        if (error instanceof CredentialsRefusedError || error instanceof SubscriptionRefusedError) {
          this.firstConnect?.reject(error);
          this.firstConnect = undefined;
        }
      },
      onMessage: (topic, payload) => {
        if (topic === TOPICS.release(this.channel)) void updater.handleManifest(payload);
        else if (topic === TOPICS.command(o.deviceId)) void this.obey(payload);
      },
    });
    if (o.flakyNetwork) this.scheduleOutage(o.flakyNetwork.everyMs, o.flakyNetwork.downMs);
    if (o.source) await this.read(o.source);
    void this.runSender();
  }

  /**
   * Resolves on the first connection; rejects with CredentialsRefusedError or SubscriptionRefusedError
   * when the broker refuses the first attempt (the link keeps trying until `stop()`).
   */
  connected(): Promise<void> {
    return this.firstConnection;
  }

  /** Starts encoding `source` once a model is in use; a running source is stopped first. */
  async read(source: EcgSource): Promise<void> {
    await this.stopSource();
    const abort = new AbortController();
    this.sourceDone = false;
    this.options.log?.(`source ${source.name}: waiting for a model`);
    const done = this.runPump(source, abort.signal).catch((error: unknown) => {
      this.options.log?.(`source stopped: ${message(error)}`);
    });
    this.reading = { abort, done };
    this.changed(false);
  }

  /** Stops reading the source (queued messages keep being sent). */
  async stopSource(): Promise<void> {
    const reading = this.reading;
    if (!reading) return;
    reading.abort.abort();
    await reading.done;
    if (this.reading === reading) this.reading = undefined;
    this.changed(false);
  }

  /** Resolves when the source has ended (or `windows` were encoded) and every message is acknowledged. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops: no new windows, flushes for up to `flushTimeoutMs`, publishes the offline state, disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.clock.clearTimeout(this.flakyTimer);
    await this.stopSource();
    await this.outbox?.flush();
    const deadline = this.options.flushTimeoutMs ?? 5000;
    if ((this.outbox?.depth ?? 0) > 0 && this.link?.connected) {
      await Promise.race([this.idle(), this.sleep(deadline)]);
    }
    this.stopped = true;
    this.clock.clearTimeout(this.stateTimer);
    this.wakeSender();
    if (this.link?.connected) {
      await Promise.race([this.publishState(), this.sleep(1000)]);
    }
    await this.link?.end(!this.link.connected);
    await this.updater?.release();
  }

  private async runPump(source: EcgSource, signal: AbortSignal): Promise<void> {
    const o = this.options;
    const updater = this.models;
    await Promise.race([updater.ready, abortPromise(signal)]);
    const encoder = updater.encoder;
    if (signal.aborted || !encoder) return;
    o.log?.(`source ${source.name}: encoding with release ${encoder.label}`);
    const pipeline = createPipeline({
      deviceId: o.deviceId,
      encoder,
      ...(o.preprocessing ? { preprocessing: o.preprocessing } : {}),
      ...(o.precision ? { precision: o.precision } : {}),
    });
    const enough = () => o.windows !== undefined && this.counters.encoded >= o.windows;
    if (!enough()) {
      for await (const window of source.windows(signal)) {
        let result: PipelineResult;
        try {
          result = await pipeline(window);
        } catch (error) {
          // The model in use fails at run time: go back to the previous one and keep the window.
          const event = await updater.rollback(`run failed: ${message(error)}`);
          if (event.kind !== 'rolled-back') throw error;
          result = await pipeline(window);
        }
        this.last = { t0: window.t0, quality: result.quality };
        if (result.ok) {
          await this.outbox!.append(result.window.encode);
          this.counters.encoded++;
          this.wakeSender();
        } else {
          this.counters.skipped++;
          o.log?.(`window ${window.index} skipped: ${result.reason}`);
        }
        o.onWindow?.(window, result);
        this.changed(false);
        if (enough()) break;
        // Let other work run between windows of a fast replay (a page paints).
        await this.sleep(0);
      }
    }
    o.log?.(`source ${source.name} ${signal.aborted ? 'stopped' : 'ended'}`);
    this.sourceDone = true;
    this.checkIdle();
  }

  private async runSender(): Promise<void> {
    if (this.senderRunning) return;
    this.senderRunning = true;
    const max = this.options.maxInFlight ?? 32;
    const topic = TOPICS.embedding(this.options.deviceId);
    const outbox = this.outbox!;
    while (!this.stopped) {
      const link = this.link;
      const pause = this.pauseUntil - this.clock.now();
      if (pause > 0) {
        await this.sleep(pause);
        continue;
      }
      const room = max - this.inFlight;
      const batch = link?.connected && room > 0 ? await outbox.take(room) : [];
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeSender = resolve;
        });
        continue;
      }
      for (const queued of batch) {
        this.inFlight++;
        link!
          .publish(topic, queued.payload)
          .then(
            async () => {
              await outbox.ack(queued.seq);
              this.counters.sent++;
              this.reportSent(queued.seq, queued.payload);
              this.changed(false);
            },
            (error: unknown) => {
              outbox.nack(queued.seq);
              // Nobody received it (no cloud subscribed yet): wait before sending again.
              if (error instanceof NoSubscribersError)
                this.pauseUntil = this.clock.now() + NO_SUBSCRIBER_PAUSE_MS;
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

  private reportSent(seq: number, payload: Uint8Array): void {
    const onSent = this.options.onSent;
    if (!onSent) return;
    const { t0, release } = decodeEmbeddingMessage(payload);
    onSent({ seq, bytes: payload.byteLength, t0, release });
  }

  /** Obeys a command from the `cmd` topic; unknown ones are logged and ignored. */
  private async obey(payload: Uint8Array): Promise<void> {
    const command = parseCommand(payload);
    switch (command.type) {
      case 'rollback':
        await this.models.rollback('rollback command');
        return;
      case 'unknown':
        this.options.log?.(`command ignored: ${command.text.slice(0, 80)}`);
    }
  }

  private scheduleOutage(everyMs: number, downMs: number): void {
    this.flakyTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.options.log?.(`network: simulated outage for ${downMs} ms`);
      this.link?.interrupt(downMs);
      this.scheduleOutage(everyMs, downMs);
    }, everyMs);
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
    this.options.onStatus?.(this.status);
    if (this.stopped || !this.link?.connected) return;
    const interval = this.options.stateIntervalMs ?? 1000;
    const wait = urgent ? 0 : Math.max(0, this.lastStateAt + interval - this.clock.now());
    if (this.stateTimer && !urgent) return;
    this.clock.clearTimeout(this.stateTimer);
    this.stateTimer = this.clock.setTimeout(() => {
      this.stateTimer = undefined;
      this.lastStateAt = this.clock.now();
      if (this.stopped || !this.link?.connected) return;
      void this.publishState();
    }, wait);
  }

  private publishState(): Promise<void> {
    const link = this.link;
    if (!link) return Promise.resolve();
    return link
      .publish(TOPICS.state(this.options.deviceId), stateMessage(this.status), true)
      .catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
