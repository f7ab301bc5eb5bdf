/**
 * Model updates of a browser device, which keeps its models in memory only: a (retained) manifest
 * arrives → signature (WebCrypto Ed25519) and input contract checked → ONNX fetched, size and sha256
 * checked → loaded beside the running session → self-test → atomic swap. The checks are the Node
 * device's (`release-checks.ts`); what differs is the crypto and that nothing is stored, so a reload
 * starts from the channel's manifest again.
 */
import { type DeviceManifest, runSelfTest } from '@heartline/model/onnx';
import { type EncoderRuntime, type EncoderRuntimeFactory, SwappableEncoder } from '@heartline/model/runtime';
import type { UpdateEvent } from './model-updater.js';
import {
  checkManifest,
  checkModelHash,
  checkModelSize,
  DEVICE_INPUT,
  fetchModel,
  parseManifest,
  RefusedRelease,
} from './release-checks.js';
import { sha256Hex, webEd25519Verifier } from './web-crypto.js';

/** Options of `WebModelUpdater`. */
export interface WebModelUpdaterOptions {
  /** The Ed25519 public key manifests must be signed with (see `importEd25519PublicKey`). */
  readonly publicKey: CryptoKey;
  /** Creates a session from model bytes (OnnxWebEncoder.create in the browser). */
  readonly createRuntime: EncoderRuntimeFactory;
  /** Fetches a manifest's model. Default: `fetch` of `onnx.url`, bounded by the announced size. */
  readonly download?: (manifest: DeviceManifest) => Promise<Uint8Array>;
  /** Receives every event. */
  readonly onEvent?: (event: UpdateEvent) => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Owns a browser device's SwappableEncoder and every change of its model. */
export class WebModelUpdater {
  private swappable: SwappableEncoder | undefined;
  private previous: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly seen = new Set<string>();
  private readyResolve: () => void = () => undefined;
  /** Resolves once a model is in use. */
  readonly ready = new Promise<void>((resolve) => {
    this.readyResolve = resolve;
  });
  /** The last event, for the state message. */
  lastEvent: UpdateEvent | undefined;

  constructor(private readonly options: WebModelUpdaterOptions) {}

  /** The encoder in use, once a model is loaded. */
  get encoder(): SwappableEncoder | undefined {
    return this.swappable;
  }

  /** The release in use and the one before it. */
  get releases(): { current: string | undefined; previous: string | undefined } {
    return { current: this.swappable?.label, previous: this.previous };
  }

  /** Handles a release manifest payload; resolves with what happened, undefined when nothing to do. */
  handleManifest(payload: Uint8Array | string): Promise<UpdateEvent | undefined> {
    return this.serial(async () => {
      let manifest: DeviceManifest;
      try {
        manifest = parseManifest(payload);
      } catch (error) {
        return this.emit(this.refusal(error, '?'));
      }
      const key = `${manifest.release}|${manifest.onnx.sha256}|${manifest.signature?.value}`;
      // A retained manifest comes again on every reconnect: act once per distinct manifest.
      if (manifest.release === this.swappable?.label || this.seen.has(key)) return undefined;
      this.seen.add(key);
      let bytes: Uint8Array;
      try {
        await checkManifest(manifest, webEd25519Verifier(this.options.publicKey), DEVICE_INPUT);
        bytes = await (this.options.download ?? fetchModel)(manifest);
        checkModelSize(manifest, bytes);
        checkModelHash(manifest, await sha256Hex(bytes));
      } catch (error) {
        return this.emit(this.refusal(error, manifest.release));
      }
      return this.install(manifest, bytes);
    });
  }

  /** Releases the session. */
  async release(): Promise<void> {
    await this.chain;
    await this.swappable?.release();
  }

  private async install(manifest: DeviceManifest, bytes: Uint8Array): Promise<UpdateEvent> {
    const release = manifest.release;
    const load = () => this.options.createRuntime(bytes, { source: `release ${release}` });
    const selfTest = (runtime: EncoderRuntime) => runSelfTest(runtime, manifest.selfTest);
    if (!this.swappable) {
      let runtime: EncoderRuntime;
      try {
        runtime = await load();
      } catch (error) {
        return this.emit({ kind: 'refused', release, reason: 'load', detail: describe(error) });
      }
      try {
        await selfTest(runtime);
      } catch (error) {
        await runtime.release().catch(() => undefined);
        return this.emit({ kind: 'refused', release, reason: 'self-test', detail: describe(error) });
      }
      this.swappable = new SwappableEncoder(runtime, release);
    } else {
      const result = await this.swappable.swap(load, { label: release, selfTest });
      if (!result.ok)
        return this.emit({ kind: 'refused', release, reason: result.stage, detail: result.reason });
      this.previous = result.previous;
    }
    this.readyResolve();
    return this.emit({ kind: 'installed', release, previous: this.previous });
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
    const next = this.chain.then(task);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
