export type { ActiveModels, StoredModel } from './model-store.js';
export { ModelStore } from './model-store.js';
export type { ModelUpdaterOptions, UpdateEvent } from './model-updater.js';
export { describeEvent, ModelUpdater } from './model-updater.js';
export type { DeviceInputSpec, RefusalReason } from './verify-release.js';
export {
  DEVICE_INPUT,
  downloadModel,
  nodeReleaseCrypto,
  parseManifest,
  RefusedRelease,
  readPublicKey,
  verifyManifest,
  verifyModelBytes,
} from './verify-release.js';
