/**
 * Model updates of one device, Node or browser alike. A retained manifest arrives → signature and input contract verified →
 * ONNX downloaded, size and sha256 verified → loaded beside the running session → self-test → atomic swap
 * → stored as current, the old one kept as previous. Any failure is refused with a logged reason and the
 * running model stays. `rollback` swaps back to the previous release (on command, or when the new one
 * fails at run time) and blocks the release rolled back from, so its retained manifest is not re-installed.
 * Storage and crypto are the environment's (`ModelStorage`, `ReleaseCrypto`): files and node:crypto in
 * Node, memory and WebCrypto in a page.
 */
import { type DeviceManifest, runSelfTest } from '@heartline/model/onnx';
import { type EncoderRuntime, type EncoderRuntimeFactory, SwappableEncoder } from '@heartline/model/runtime';
import type { ModelStorage, ReleaseCrypto, StoredModel } from '../core/ports.js';
import { Serial } from '../core/serial.js';
import {
  checkManifest,
  checkModelHash,
  checkModelSize,
  DEVICE_INPUT,
  fetchModel,
  parseManifest,
  type RefusalReason,
  RefusedRelease,
} from './release-checks.js';

/** What the updater did, as logged and reported in the device state. */
export type UpdateEvent =
  | { readonly kind: 'installed'; readonly release: string; readonly previous: string | undefined }
  | {
      readonly kind: 'refused';
      readonly release: string;
      readonly reason: RefusalReason;
      readonly detail: string;
    }
  | { readonly kind: 'rolled-back'; readonly from: string; readonly to: string; readonly why: string }
  | { readonly kind: 'rollback-failed'; readonly from: string; readonly why: string };

/** Options of `ModelUpdater`. */
export interface ModelUpdaterOptions {
  readonly store: ModelStorage;
  /** Signature check with the provisioned Ed25519 key, and sha256 (`nodeReleaseCrypto`, `webReleaseCrypto`). */
  readonly crypto: ReleaseCrypto;
  /** Creates a session from model bytes (OnnxNodeEncoder.create in Node, OnnxWebEncoder.create in a page). */
  readonly createRuntime: EncoderRuntimeFactory;
  /** Fetches a manifest's model. Default: `fetch` of `onnx.url`, bounded by the announced size. */
  readonly download?: (manifest: DeviceManifest) => Promise<Uint8Array>;
  /** Receives every event (the device logs it and republishes its state). */
  readonly onEvent?: (event: UpdateEvent) => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Owns the device's SwappableEncoder and every change of its model. */
export class ModelUpdater {
  private swappable: SwappableEncoder | undefined;
  private readonly changes = new Serial();
  private readonly seen = new Set<string>();
  private readyResolve: () => void = () => undefined;
  /** Resolves once a model is in use. */
  readonly ready = new Promise<void>((resolve) => {
    this.readyResolve = resolve;
  });
  /** The last event, for the state message. */
  lastEvent: UpdateEvent | undefined;

  constructor(private readonly options: ModelUpdaterOptions) {}

  /** The encoder in use, once a model is loaded. */
  get encoder(): SwappableEncoder | undefined {
    return this.swappable;
  }

  /** The release in use and the rollback target. */
  get releases(): { current: string | undefined; previous: string | undefined } {
    return { current: this.swappable?.label, previous: this.options.store.active.previous };
  }

  /**
   * Loads the stored current release after checking it again (the files may have changed on disk since
   * it was installed): its stored manifest's signature, then the model's size and sha256 against it (a
   * model provisioned without a manifest: against the sha256 recorded when it was stored). A model that
   * fails is refused with the `RefusedRelease` reason (`hash`, `size`, `signature`…) as an event and not
   * used. False then, and when none is stored.
   */
  async loadStored(): Promise<boolean> {
    const current = this.options.store.active.current;
    const stored = current ? await this.options.store.load(current) : undefined;
    if (!stored) return false;
    try {
      await this.checkStored(stored);
    } catch (error) {
      this.emit(this.refusal(error, stored.release));
      return false;
    }
    const result = await this.install(stored);
    return result.kind === 'installed';
  }

  /** Installs an operator-provisioned model (a file given on the command line, optionally with its manifest). */
  provision(release: string, bytes: Uint8Array, manifest?: DeviceManifest): Promise<UpdateEvent> {
    return this.serial(async () => {
      if (manifest) {
        try {
          await this.verifyBytes(manifest, bytes);
        } catch (error) {
          return this.emit(this.refusal(error, release));
        }
      }
      return this.install({ release: manifest?.release ?? release, bytes, manifest });
    });
  }

  /** Handles a (retained) release manifest payload. Resolves with what happened; undefined when nothing to do. */
  handleManifest(payload: Uint8Array | string): Promise<UpdateEvent | undefined> {
    return this.serial(async () => {
      let manifest: DeviceManifest;
      try {
        manifest = parseManifest(payload);
      } catch (error) {
        return this.emit(this.refusal(error, '?'));
      }
      const key = `${manifest.release}|${manifest.onnx.sha256}|${manifest.signature?.value}`;
      const active = this.options.store.active;
      // A retained manifest comes again on every reconnect: act once per distinct manifest.
      if (
        manifest.release === this.swappable?.label ||
        active.blocked.includes(manifest.release) ||
        this.seen.has(key)
      ) {
        return undefined;
      }
      this.seen.add(key);
      let bytes: Uint8Array;
      try {
        await checkManifest(manifest, this.options.crypto.verify, DEVICE_INPUT);
        bytes = await (this.options.download ?? fetchModel)(manifest);
        checkModelSize(manifest, bytes);
        checkModelHash(manifest, await this.options.crypto.sha256Hex(bytes));
      } catch (error) {
        return this.emit(this.refusal(error, manifest.release));
      }
      return this.install({ release: manifest.release, bytes, manifest });
    });
  }

  /** Swaps back to the previous release; `why` is logged. */
  rollback(why: string): Promise<UpdateEvent> {
    return this.serial(async () => {
      const from = this.swappable?.label ?? '?';
      const previous = this.options.store.active.previous;
      const stored = previous ? await this.options.store.load(previous) : undefined;
      if (!stored)
        return this.emit({ kind: 'rollback-failed', from, why: `${why}; no previous release is stored` });
      try {
        await this.checkStored(stored);
      } catch (error) {
        return this.emit({ kind: 'rollback-failed', from, why: `${why}; ${describe(error)}` });
      }
      const result = await this.install(stored, { block: from });
      if (result.kind !== 'installed') {
        const detail = result.kind === 'refused' ? result.detail : result.kind;
        return this.emit({ kind: 'rollback-failed', from, why: `${why}; ${detail}` });
      }
      return this.emit({ kind: 'rolled-back', from, to: stored.release, why });
    });
  }

  /** Releases the session. */
  async release(): Promise<void> {
    await this.changes.idle();
    await this.swappable?.release();
  }

  /** Checks a model read from the store before it is used again; throws RefusedRelease. */
  private async checkStored(stored: StoredModel): Promise<void> {
    if (stored.manifest) {
      await this.verifyBytes(stored.manifest, stored.bytes);
      return;
    }
    if (stored.sha256 !== undefined) {
      const actual = await this.options.crypto.sha256Hex(stored.bytes);
      if (actual !== stored.sha256) {
        throw new RefusedRelease(
          'hash',
          stored.release,
          `stored model's sha256 ${actual.slice(0, 16)}…, recorded ${stored.sha256.slice(0, 16)}… when it was stored`,
        );
      }
    }
  }

  /** Signature and input contract of `manifest`, then size and sha256 of `bytes`; throws RefusedRelease. */
  private async verifyBytes(manifest: DeviceManifest, bytes: Uint8Array): Promise<void> {
    await checkManifest(manifest, this.options.crypto.verify, DEVICE_INPUT);
    checkModelSize(manifest, bytes);
    checkModelHash(manifest, await this.options.crypto.sha256Hex(bytes));
  }

  private async install(model: StoredModel, options: { block?: string } = {}): Promise<UpdateEvent> {
    const load = () => this.options.createRuntime(model.bytes, { source: `release ${model.release}` });
    const selfTest = model.manifest
      ? (runtime: EncoderRuntime) => runSelfTest(runtime, model.manifest!.selfTest)
      : undefined;
    let previous: string | undefined;
    if (!this.swappable) {
      let runtime: EncoderRuntime;
      try {
        runtime = await load();
      } catch (error) {
        return this.emit({
          kind: 'refused',
          release: model.release,
          reason: 'load',
          detail: describe(error),
        });
      }
      try {
        await selfTest?.(runtime);
      } catch (error) {
        await runtime.release().catch(() => undefined);
        return this.emit({
          kind: 'refused',
          release: model.release,
          reason: 'self-test',
          detail: describe(error),
        });
      }
      this.swappable = new SwappableEncoder(runtime, model.release);
    } else {
      const result = await this.swappable.swap(load, {
        label: model.release,
        ...(selfTest ? { selfTest } : {}),
      });
      if (!result.ok)
        return this.emit({
          kind: 'refused',
          release: model.release,
          reason: result.stage,
          detail: result.reason,
        });
      previous = result.previous;
    }
    if (this.options.store.active.current !== model.release)
      await this.options.store.save(model.release, model.bytes, model.manifest);
    await this.options.store.activate(model.release, options);
    this.readyResolve();
    return this.emit({ kind: 'installed', release: model.release, previous });
  }

  private refusal(error: unknown, release: string): UpdateEvent {
    if (error instanceof RefusedRelease) {
      return { kind: 'refused', release: error.release, reason: error.reason, detail: error.message };
    }
    return { kind: 'refused', release, reason: 'malformed', detail: describe(error) };
  }

  private emit(event: UpdateEvent): UpdateEvent {
    this.lastEvent = event;
    this.options.onEvent?.(event);
    return event;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    return this.changes.run(task);
  }
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
