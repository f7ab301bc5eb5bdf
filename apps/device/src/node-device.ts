/**
 * The Node device: the core `Device` on a state directory (file outbox, file model store), onnxruntime-node
 * (through `createRuntime`), node:crypto and MQTT over TCP or TLS (mqtt://, mqtts://; wss:// works too).
 * Only the environment is built here; the behaviour is the core's.
 */
import type { KeyObject } from 'node:crypto';
import { Device, type DeviceOptions } from './core/device.js';
import type { DeviceEnvironment } from './core/ports.js';
import { MqttLink } from './mqtt-link.js';
import { Outbox } from './outbox/index.js';
import { type DeviceTlsOptions, downloadModelWithTls } from './tls/device-tls.js';
import { ModelStore } from './updates/model-store.js';
import { deviceAuthorization } from './updates/release-checks.js';
import { downloadModel, nodeReleaseCrypto } from './updates/verify-release.js';

/** Options of `NodeDevice`: the core's, with a state directory, a broker and Node's crypto key. */
export interface NodeDeviceOptions extends Omit<DeviceOptions, 'environment'> {
  readonly secret: string;
  /** `mqtt://host:port`, or `mqtts://host:port` / `wss://host:port/mqtt` with `tls`. */
  readonly brokerUrl: string;
  /**
   * The CA the cloud's certificate must chain to (broker and HTTPS model downloads), and optionally the
   * device's client certificate. Default: none (the system's CAs for https downloads).
   */
  readonly tls?: DeviceTlsOptions | undefined;
  /** Where the queue, the sequence number and the models live. */
  readonly stateDir: string;
  /** The provisioned Ed25519 public key releases must be signed with. */
  readonly publicKey: KeyObject;
  /** Creates encoder sessions (OnnxNodeEncoder.create in Node). */
  readonly createRuntime: DeviceEnvironment['createRuntime'];
  /** Queue bound in bytes. Default 50 MB. */
  readonly maxQueueBytes?: number;
  /** fsync queue writes. Default true. */
  readonly fsync?: boolean;
  /**
   * MQTT version: 4 (the embedded broker) or 5 (external brokers: a message the broker took while no
   * cloud instance was subscribed is kept and sent again). Default 4.
   */
  readonly mqttVersion?: 4 | 5;
  /** Reconnect backoff bounds. Defaults 250 / 15,000 ms. */
  readonly minReconnectMs?: number;
  readonly maxReconnectMs?: number;
}

/** The environment of a Node device. */
export function nodeEnvironment(o: NodeDeviceOptions): DeviceEnvironment {
  // Model files are served to the fleet's devices: downloads carry the device's credentials.
  const authorization = deviceAuthorization(o.deviceId, o.secret);
  return {
    openOutbox: () =>
      Outbox.open(o.stateDir, {
        ...(o.maxQueueBytes === undefined ? {} : { maxQueueBytes: o.maxQueueBytes }),
        ...(o.fsync === undefined ? {} : { fsync: o.fsync }),
      }),
    openModels: () => ModelStore.open(o.stateDir),
    crypto: nodeReleaseCrypto(o.publicKey),
    createRuntime: o.createRuntime,
    download: (manifest) =>
      o.tls
        ? downloadModelWithTls(manifest, o.tls, 60_000, authorization)
        : downloadModel(manifest, 60_000, authorization),
    connect: (setup) =>
      MqttLink.connect({
        ...setup,
        brokerUrl: o.brokerUrl,
        deviceId: o.deviceId,
        secret: o.secret,
        ...(o.tls ? { tls: o.tls } : {}),
        ...(o.mqttVersion === undefined ? {} : { protocolVersion: o.mqttVersion }),
        ...(o.minReconnectMs === undefined ? {} : { minReconnectMs: o.minReconnectMs }),
        ...(o.maxReconnectMs === undefined ? {} : { maxReconnectMs: o.maxReconnectMs }),
      }),
  };
}

/** A Node device: `start()` resumes the state directory and reads `source`. */
export class NodeDevice extends Device {
  constructor(options: NodeDeviceOptions) {
    super({ ...options, environment: nodeEnvironment(options) });
  }
}
