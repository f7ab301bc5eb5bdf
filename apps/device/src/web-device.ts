/**
 * The browser device: the core `Device` in a page, with what a page has instead of a disk and a TCP
 * socket: MQTT over WebSocket, WebCrypto, onnxruntime-web (through `createRuntime`), models kept in
 * memory, and a queue journaled in IndexedDB whose sequence number is kept in a small key-value store
 * (localStorage); both survive reloads. The previous model does not (a reload starts from the channel's
 * manifest again).
 * Only the environment is built here; the behaviour is the core's.
 */
import { Device, type DeviceOptions } from './core/device.js';
import { MemoryModelStore } from './core/memory-model-store.js';
import { MemoryOutbox, type MessageJournal, type SequenceStore } from './core/memory-outbox.js';
import type { DeviceEnvironment } from './core/ports.js';
import { MqttLink } from './mqtt-link.js';
import { indexedDbJournal } from './outbox/indexeddb-journal.js';
import { deviceAuthorization, fetchModel } from './updates/release-checks.js';
import { webReleaseCrypto } from './updates/web-crypto.js';

export type { SentMessage } from './core/device.js';
export type { SequenceStore } from './core/memory-outbox.js';

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

/** IndexedDB where the page has it. */
async function defaultJournal(deviceId: string): Promise<MessageJournal | undefined> {
  return typeof indexedDB === 'undefined' ? undefined : indexedDbJournal(deviceId);
}

/** Options of `WebDevice`: the core's, with a WebSocket broker URL and WebCrypto's key. */
export interface WebDeviceOptions extends Omit<DeviceOptions, 'environment'> {
  readonly secret: string;
  /** `ws://host:port/mqtt` (or `wss://`). */
  readonly brokerUrl: string;
  /** The Ed25519 key releases must be signed with (see `importEd25519PublicKey`). */
  readonly publicKey: CryptoKey;
  /** Creates encoder sessions (OnnxWebEncoder.create). */
  readonly createRuntime: DeviceEnvironment['createRuntime'];
  readonly sequence: SequenceStore;
  /** Where unsent messages are kept across reloads. Default: IndexedDB where the page has it, else none. */
  readonly journal?: (deviceId: string) => Promise<MessageJournal | undefined>;
  /** Messages kept while offline; the oldest is dropped beyond it. Default 1,000. */
  readonly maxQueue?: number;
}

/** The environment of a browser device. */
export function webEnvironment(o: WebDeviceOptions): DeviceEnvironment {
  const authorization = deviceAuthorization(o.deviceId, o.secret);
  return {
    openOutbox: async () => {
      const journal = await (o.journal ?? defaultJournal)(o.deviceId).catch((error: unknown) => {
        o.log?.(`unsent messages will not survive a reload: ${String(error)}`);
        return undefined;
      });
      return MemoryOutbox.open({
        deviceId: o.deviceId,
        sequence: o.sequence,
        ...(journal ? { journal } : {}),
        ...(o.maxQueue === undefined ? {} : { maxMessages: o.maxQueue }),
      });
    },
    openModels: async () => new MemoryModelStore(),
    crypto: webReleaseCrypto(o.publicKey),
    createRuntime: o.createRuntime,
    download: (manifest) => fetchModel(manifest, 60_000, authorization),
    connect: (setup) =>
      MqttLink.connect({ ...setup, brokerUrl: o.brokerUrl, deviceId: o.deviceId, secret: o.secret }),
  };
}

/** A browser device: `start()`, then `connected()`, then `read(source)` for each source picked. */
export class WebDevice extends Device {
  constructor(options: WebDeviceOptions) {
    super({ ...options, environment: webEnvironment(options) });
  }
}
