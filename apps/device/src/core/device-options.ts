/** The options of the core `Device`: its environment and the behaviour's settings, each with its default. */

import type { EmbeddingPrecision } from '@heartline/contract';
import type { PreprocessOptions } from '@heartline/ecg/signal';
import type { DeviceManifest } from '@heartline/model/onnx';
import type { DeviceStatus } from '../device-state.js';
import type { PipelineResult } from '../pipeline.js';
import type { EcgSource, EcgWindow } from '../sources/ecg-source.js';
import type { DeviceEnvironment } from './ports.js';

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
