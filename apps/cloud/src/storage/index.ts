export type { DeviceRow } from './devices.js';
export { addDevice, DEVICE_ID, findDevice, listDevices } from './devices.js';
export type { SqlDriver } from './driver.js';
export type { EmbeddingRow } from './embeddings.js';
export { countEmbeddings, insertEmbeddings } from './embeddings.js';
export { migrate } from './migrate.js';
export type { StorageOptions } from './open-storage.js';
export { openStorage } from './open-storage.js';
export { addRejections, listRejections } from './rejections.js';
export type { ReleaseRow } from './releases.js';
export { listReleases, registerRelease } from './releases.js';
export type { Role, TokenHolder, TokenInfo, TokenOptions } from './tokens.js';
export {
  createToken,
  holderOfToken,
  issueToken,
  listTokens,
  ROLES,
  revokeToken,
  roleAllows,
  roleOfToken,
} from './tokens.js';
