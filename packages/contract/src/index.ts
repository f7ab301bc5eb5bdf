/**
 * The contract between devices and the cloud: the embedding message (CBOR on `hl/v1/dev/{id}/emb`), the
 * commands on `hl/v1/dev/{id}/cmd`, the topics, and the ranges every stored number and id keeps.
 */
export {
  ChannelName,
  CommandId,
  DeviceCommand,
  DeviceCommandBody,
  encodeDeviceCommand,
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
export { InvalidCommandError, WireError } from './errors.js';
export { fromFloat16Bits, toFloat16Bits } from './float16.js';
export {
  FLOAT32_MAX,
  FLOAT32_MIN_NORMAL,
  firstUnstorableFloat32,
  flushSubnormal,
  isStorableFloat32,
  isStorableT0,
  MAX_SEQ,
  MAX_T0_MS,
  MIN_POSITIVE_T0_MS,
  STORABLE_ID,
} from './storable.js';
export { deviceIdOfTopic, TOPICS } from './topics.js';
