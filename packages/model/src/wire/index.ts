export type { EmbeddingMessage, EmbeddingPrecision } from './embedding-message.js';
export {
  decodeEmbeddingMessage,
  EMBEDDING_MESSAGE_VERSION,
  encodeEmbeddingMessage,
  leadMaskBits,
  MAX_EMBEDDING_MESSAGE_BYTES,
} from './embedding-message.js';
export { fromFloat16Bits, toFloat16Bits } from './float16.js';
export { deviceIdOfTopic, TOPICS } from './topics.js';
