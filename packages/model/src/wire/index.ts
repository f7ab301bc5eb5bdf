export {
  ChannelName,
  CommandId,
  DeviceCommand,
  DeviceCommandBody,
  encodeDeviceCommand,
  InvalidCommandError,
  parseDeviceCommand,
} from './device-command.js';
export type { EmbeddingMessage, EmbeddingPrecision } from './embedding-message.js';
export {
  decodeEmbeddingMessage,
  EMBEDDING_MESSAGE_VERSION,
  encodeEmbeddingMessage,
  leadMaskBits,
  MAX_EMBEDDING_MESSAGE_BYTES,
} from './embedding-message.js';
export { fromFloat16Bits, toFloat16Bits } from './float16.js';
export {
  FLOAT32_MAX,
  FLOAT32_MIN_NORMAL,
  firstUnstorableFloat32,
  flushSubnormal,
  isStorableFloat32,
  MAX_SEQ,
  MAX_T0_MS,
  STORABLE_ID,
} from './storable.js';
export { deviceIdOfTopic, TOPICS } from './topics.js';
