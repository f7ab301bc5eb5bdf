/**
 * What the device core needs from its runtime, as small interfaces. Node implements them with files,
 * onnxruntime-node, node:crypto and MQTT over TCP/TLS (`node-device.ts`); a browser page with memory and
 * localStorage, onnxruntime-web, WebCrypto and MQTT over WebSocket (`web-device.ts`); the core's unit test
 * with plain objects. Nothing here imports a runtime.
 */
import type { DeviceManifest } from '@heartline/model/onnx';
import type { EncoderRuntimeFactory } from '@heartline/model/runtime';
import type { SignatureVerifier } from '../updates/release-checks.js';

/** One queued message. */
export interface QueuedMessage {
  readonly seq: number;
  readonly payload: Uint8Array;
}

/**
 * The outgoing queue and the sequence number. A message leaves it only on `ack` (the broker's PUBACK);
 * a seq is never handed out twice, also across restarts where the store survives them.
 */
export interface MessageOutbox {
  /** Messages waiting for their PUBACK (including those being sent). */
  readonly depth: number;
  /** Messages dropped unsent for the queue's bound. */
  readonly dropped: number;
  /** The seq the next appended message gets. */
  readonly sequence: number;
  /** Assigns the next seq, builds the payload with it and queues it; resolves with the seq. */
  append(build: (seq: number) => Uint8Array): Promise<number>;
  /** Up to `max` of the oldest messages not already being sent, marked as being sent. */
  take(max: number): Promise<QueuedMessage[]>;
  /** The broker acknowledged `seq`: it is gone for good. */
  ack(seq: number): Promise<void>;
  /** Sending `seq` failed: it waits again. */
  nack(seq: number): void;
  /** Waits for appends in progress. */
  flush(): Promise<void>;
  /** How many messages with a seq ≥ `fromSeq` it still holds (waiting or being sent). */
  heldFrom(fromSeq: number): number;
}

/** Which releases a device keeps: in use, the rollback target, and those refused for good. */
export interface ActiveModels {
  readonly current?: string;
  readonly previous?: string;
  /** Releases rolled back from: a retained manifest naming one is not installed again. */
  readonly blocked: readonly string[];
}

/** A stored model. */
export interface StoredModel {
  readonly release: string;
  readonly bytes: Uint8Array;
  readonly manifest: DeviceManifest | undefined;
  /** The sha256 (hex) recorded when the model was stored; undefined where none was recorded. */
  readonly sha256?: string | undefined;
}

/** Where the current and the previous model live (files in Node, memory in a page). */
export interface ModelStorage {
  readonly active: ActiveModels;
  /** Writes a model (before it becomes active, so `active` never names a missing model). */
  save(release: string, bytes: Uint8Array, manifest: DeviceManifest | undefined): Promise<void>;
  /** Reads a stored model; undefined when it is gone. */
  load(release: string): Promise<StoredModel | undefined>;
  /** Records `release` as current and the one it replaced as previous; forgets models no longer named. */
  activate(release: string, options?: { block?: string }): Promise<void>;
}

/** The release checks' crypto: the provisioned key's Ed25519 check and sha256. */
export interface ReleaseCrypto {
  /** Resolves true when `signature` is the provisioned key's over `bytes`. */
  readonly verify: SignatureVerifier;
  /** sha256 of `bytes` as lowercase hex. */
  sha256Hex(bytes: Uint8Array): Promise<string>;
}

/** What the core hands a link when it connects. */
export interface LinkSetup {
  /** Retained last will: published by the broker if the link dies. */
  readonly will: { readonly topic: string; readonly payload: string };
  /** Topics to subscribe (QoS 1), read again at every connect (the channel may have changed). */
  readonly subscriptions: () => readonly string[];
  /** Every (re)connect, after subscribing. */
  readonly onConnect: () => void;
  readonly onClose: () => void;
  readonly onMessage: (topic: string, payload: Uint8Array) => void;
  /** Errors the link survives by reconnecting (CredentialsRefusedError, SubscriptionRefusedError, TLS…). */
  readonly onError: (error: Error) => void;
}

/** The device's connection to the broker (MqttLink in both runtimes). */
export interface DeviceLink {
  readonly connected: boolean;
  /**
   * Publishes with QoS 1; resolves on the broker's PUBACK. Rejects with NoSubscribersError when the
   * broker took the message but nobody received it.
   */
  publish(topic: string, payload: Uint8Array | string, retain?: boolean): Promise<void>;
  /**
   * Subscribes (QoS 1) now; rejects with SubscriptionRefusedError when the broker refuses. Not connected:
   * resolves, and the next connect subscribes what `LinkSetup.subscriptions` names then.
   */
  subscribe(topic: string): Promise<void>;
  /** Unsubscribes now (nothing to do when not connected: the next connect does not subscribe it). */
  unsubscribe(topic: string): Promise<void>;
  /** Drops the connection without DISCONNECT and stays down for `downMs` (simulated outage). */
  interrupt(downMs: number): void;
  /** Closes the connection: politely (no last will) unless `force`. */
  end(force?: boolean): Promise<void>;
}

/** An opaque timer handle. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** Time as the core sees it. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(timer: TimerHandle | undefined): void;
}

/** Everything runtime-specific a device needs. */
export interface DeviceEnvironment {
  /** Opens the outbox (resuming what a previous run left where the store survives restarts). */
  openOutbox(): Promise<MessageOutbox>;
  /** Opens the model store. */
  openModels(): Promise<ModelStorage>;
  readonly crypto: ReleaseCrypto;
  /** Creates encoder sessions from model bytes (onnxruntime-node or onnxruntime-web). */
  readonly createRuntime: EncoderRuntimeFactory;
  /** Fetches a manifest's model bytes (the updater checks size and sha256 again). */
  readonly download: (manifest: DeviceManifest) => Promise<Uint8Array>;
  /** Starts connecting to the broker; the first connect is reported through `setup.onConnect`. */
  connect(setup: LinkSetup): DeviceLink;
  /** Default: the system clock. */
  readonly clock?: Clock;
}
