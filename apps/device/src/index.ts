export type {
  DeviceEnvironment,
  DeviceLink,
  MessageOutbox,
  ModelStorage,
  ReleaseCrypto,
} from './core/index.js';
export { Device as DeviceCore, MemoryModelStore, MemoryOutbox, parseCommand } from './core/index.js';
export type { DeviceOptions } from './device.js';
export { Device } from './device.js';
export { DEVICE_PAGE_DIR } from './device-page-dir.js';
export type { DeviceStatus } from './device-state.js';
export { offlineWill, stateMessage, statusLine } from './device-state.js';
export * from './errors.js';
export type { MqttLinkOptions } from './mqtt-link.js';
export { MqttLink } from './mqtt-link.js';
export type { NodeDeviceOptions } from './node-device.js';
export { NodeDevice, nodeEnvironment } from './node-device.js';
export type { OutboxOptions, QueuedMessage } from './outbox/index.js';
export { Outbox } from './outbox/index.js';
export type { EncodedWindow, PipelineOptions, PipelineResult, WindowEncoder } from './pipeline.js';
export { createPipeline } from './pipeline.js';
export type { EcgSource, EcgWindow, OpenSourceOptions, Pacing, SourceSpec } from './sources/index.js';
export { openSource, parseSourceSpec, ptbxlSource, syntheticSource, wfdbSource } from './sources/index.js';
export type { DeviceTlsOptions } from './tls/device-tls.js';
export { downloadModelWithTls, explainTlsError } from './tls/device-tls.js';
export type { UpdateEvent } from './updates/index.js';
export { describeEvent, ModelStore, ModelUpdater, readPublicKey } from './updates/index.js';
