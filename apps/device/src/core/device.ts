/**
 * The heartline device, once for Node and the browser: source → pipeline → outbox → link (QoS 1), with
 * its state retained on the broker, its model updated from the signed manifest of its channel and the
 * commands of its `cmd` topic obeyed. Everything runtime-specific comes in as a `DeviceEnvironment`.
 * `start()` resumes what the environment holds (unsent messages, the sequence number, the active model)
 * and connects; `read(source)` encodes a source (a running one is stopped first); `stop()` stops
 * reading, tries to flush the queue, says goodbye (retained offline state) and releases the session.
 */

import {
  type DeviceCommand,
  decodeEmbeddingMessage,
  InvalidCommandError,
  parseDeviceCommand,
  TOPICS,
} from '@heartline/contract';
import { InvalidStateError } from '@heartline/model/errors';
import { type CommandReport, type DeviceStatus, offlineWill, stateMessage } from '../device-state.js';
import { CredentialsRefusedError, SubscriptionRefusedError } from '../errors.js';
import { createPipeline, type PipelineResult } from '../pipeline.js';
import type { EcgSource } from '../sources/ecg-source.js';
import { describeEvent, ModelUpdater } from '../updates/model-updater.js';
import { systemClock } from './clock.js';
import type { DeviceOptions } from './device-options.js';
import type { Clock, DeviceLink, MessageOutbox, TimerHandle } from './ports.js';
import { Sender } from './sender.js';

export type { DeviceOptions, SentMessage } from './device-options.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A running device. */
export class Device {
  private outbox: MessageOutbox | undefined;
  private updater: ModelUpdater | undefined;
  private link: DeviceLink | undefined;
  private readonly clock: Clock;
  /** The channel followed; an `assign-channel` command changes it. */
  private channel: string;
  private readonly maxInFlight: number;
  private reading: { abort: AbortController; done: Promise<void> } | undefined;
  private sender: Sender | undefined;
  private stopped = false;
  private counters = { encoded: 0, skipped: 0, sent: 0, commands: 0, commandsRefused: 0 };
  private lastCommand: CommandReport | undefined;
  /** Commands are obeyed one at a time, in the order they arrive. */
  private commandQueue: Promise<void> = Promise.resolve();
  private last: { t0?: number; quality?: number } = {};
  private stateTimer: TimerHandle | undefined;
  private flakyTimer: TimerHandle | undefined;
  private lastStateAt = 0;
  private sourceDone = false;
  private idleWaiters: (() => void)[] = [];
  private firstConnect: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readonly firstConnection: Promise<void>;

  constructor(private readonly options: DeviceOptions) {
    this.maxInFlight = options.maxInFlight ?? 32;
    if (!(Number.isInteger(this.maxInFlight) && this.maxInFlight >= 1))
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
      channel: this.channel,
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
      lastCommand: this.lastCommand,
    };
  }

  /** The model updater (for rollbacks from code and tests); set by `start()`. */
  get models(): ModelUpdater {
    if (!this.updater) throw new InvalidStateError('the device has not been started: call start() first');
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
      subscriptions: () => [TOPICS.release(this.channel), TOPICS.command(o.deviceId)],
      onConnect: () => {
        log(`connected, following ${TOPICS.release(this.channel)}`);
        this.firstConnect?.resolve();
        this.firstConnect = undefined;
        this.changed(true);
        this.sender?.wake();
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
        else if (topic === TOPICS.command(o.deviceId)) this.enqueueCommand(payload);
      },
    });
    if (o.flakyNetwork) this.scheduleOutage(o.flakyNetwork.everyMs, o.flakyNetwork.downMs);
    this.sender = new Sender({
      outbox: this.outbox,
      link: () => this.link,
      topic: TOPICS.embedding(o.deviceId),
      maxInFlight: this.maxInFlight,
      clock: this.clock,
      onAcknowledged: (message) => {
        this.counters.sent++;
        this.reportSent(message.seq, message.payload);
        this.changed(false);
      },
      onSettled: () => this.checkIdle(),
    });
    if (o.source) await this.read(o.source);
    void this.sender.run();
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
    this.sender?.stop();
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
          this.sender?.wake();
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

  private reportSent(seq: number, payload: Uint8Array): void {
    const onSent = this.options.onSent;
    if (!onSent) return;
    const { t0, release } = decodeEmbeddingMessage(payload);
    onSent({ seq, bytes: payload.byteLength, t0, release });
  }

  private enqueueCommand(payload: Uint8Array): void {
    this.commandQueue = this.commandQueue.then(() =>
      this.obey(payload).catch((error: unknown) => {
        // A command must never take the device down: what went wrong is reported like a failure.
        this.options.log?.(`command failed: ${message(error)}`);
      }),
    );
  }

  /**
   * Obeys a command from the `cmd` topic and reports the outcome in the state (`lastCommand`). A payload
   * that is no command is logged, counted (`commandsRefused`) and otherwise ignored.
   */
  private async obey(payload: Uint8Array): Promise<void> {
    let command: DeviceCommand;
    try {
      command = parseDeviceCommand(payload);
    } catch (error) {
      if (!(error instanceof InvalidCommandError)) throw error;
      this.counters.commandsRefused++;
      this.options.log?.(`command ignored: ${error.message}`);
      this.report({ type: 'invalid', outcome: 'refused', detail: error.message.slice(0, 300) });
      return;
    }
    this.counters.commands++;
    const id = command.id;
    switch (command.type) {
      case 'rollback': {
        const event = await this.models.rollback('rollback command');
        this.report(
          event.kind === 'rolled-back'
            ? { id, type: command.type, outcome: 'done', detail: `${event.from} → ${event.to}` }
            : {
                id,
                type: command.type,
                outcome: 'failed',
                detail: event.kind === 'rollback-failed' ? event.why : event.kind,
              },
        );
        return;
      }
      case 'assign-channel':
        this.report({ id, type: command.type, ...(await this.follow(command.channel)) });
        return;
      case 'resend': {
        const held = this.outbox?.heldFrom(command.fromSeq) ?? 0;
        const range = Math.max(0, (this.outbox?.sequence ?? 0) - command.fromSeq);
        this.sender?.resume();
        this.options.log?.(
          `resend from seq ${command.fromSeq}: ${held} still held and sent, ${range - held} acknowledged or dropped before`,
        );
        this.report({ id, type: command.type, outcome: 'done', held, gone: range - held });
        return;
      }
    }
  }

  /**
   * Follows `channel`'s release topic instead of the current one: the new topic is subscribed first (its
   * retained manifest is read from then on), the old one unsubscribed after. A refused subscription keeps
   * the old channel.
   */
  private async follow(channel: string): Promise<Pick<CommandReport, 'outcome' | 'detail'>> {
    const from = this.channel;
    if (channel === from) return { outcome: 'done', detail: `already on ${channel}` };
    // Switched before subscribing: the retained manifest may arrive before the SUBACK is read.
    this.channel = channel;
    try {
      await this.link?.subscribe(TOPICS.release(channel));
    } catch (error) {
      this.channel = from;
      this.options.log?.(`channel ${channel} refused, staying on ${from}: ${message(error)}`);
      return { outcome: 'failed', detail: message(error) };
    }
    await this.link?.unsubscribe(TOPICS.release(from)).catch(() => undefined);
    this.options.log?.(`channel ${from} → ${channel}, following ${TOPICS.release(channel)}`);
    return { outcome: 'done', detail: `${from} → ${channel}` };
  }

  private report(report: CommandReport): void {
    this.lastCommand = report;
    this.changed(true);
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
