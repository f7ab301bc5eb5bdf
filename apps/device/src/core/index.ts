/** The `cmd` topic's parser: the wire package's, shared with the cloud. */
export { parseDeviceCommand as parseCommand } from '@heartline/contract';
export { activeAfter } from './active-models.js';
export { systemClock } from './clock.js';
export type { DeviceOptions, SentMessage } from './device.js';
export { Device } from './device.js';
export { MemoryModelStore } from './memory-model-store.js';
export type { MemoryOutboxOptions, MessageJournal, SequenceStore } from './memory-outbox.js';
export { MemoryOutbox } from './memory-outbox.js';
export type {
  ActiveModels,
  Clock,
  DeviceEnvironment,
  DeviceLink,
  LinkSetup,
  MessageOutbox,
  ModelStorage,
  QueuedMessage,
  ReleaseCrypto,
  StoredModel,
} from './ports.js';
export type { SenderOptions } from './sender.js';
export { Sender } from './sender.js';
export { Serial } from './serial.js';
