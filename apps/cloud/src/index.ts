export type { MessageBus, MessageHandler } from './broker/bus.js';
export type { EmbeddedBroker, EmbeddedBrokerOptions } from './broker/embedded-broker.js';
export { startEmbeddedBroker } from './broker/embedded-broker.js';
export { connectExternalBus } from './broker/external-bus.js';
export type { MosquittoTls } from './broker/mosquitto-config.js';
export { writeMosquittoFiles } from './broker/mosquitto-config.js';
export type { MosquittoRefresh } from './broker/mosquitto-credentials.js';
export { refreshMosquittoCredentials } from './broker/mosquitto-credentials.js';
export type { Cloud, CloudOptions } from './cloud.js';
export { startCloud } from './cloud.js';
export { cloudOptionsSchema, validateCloudOptions } from './cloud-options-schema.js';
export * from './errors.js';
export type { IngestOptions, IngestStats } from './ingest/ingest.js';
export { Ingest } from './ingest/ingest.js';
export type { CloudLoggerOptions, Logger } from './observability/cloud-logger.js';
export { createCloudLogger, lineLog } from './observability/cloud-logger.js';
export type { MetricSources } from './observability/cloud-metrics.js';
export { CloudMetrics } from './observability/cloud-metrics.js';
export type { BrokerLink, Readiness, ReadinessChecks } from './observability/readiness.js';
export { checkReadiness } from './observability/readiness.js';
export { nearestEcgs } from './queries/search.js';
export { importPtbxlRecords } from './records/import-ptbxl.js';
export type { EcgImportResult } from './records/import-ptbxl-ecgs.js';
export { importPtbxlEcgs } from './records/import-ptbxl-ecgs.js';
export { registerReleaseDir } from './releases/register-release-dir.js';
export type { ReleaseFilesOptions } from './releases/release-files.js';
export { ReleaseFiles } from './releases/release-files.js';
export type { ReleaseModel } from './releases/release-models.js';
export { loadReleaseModel, ReleaseCatalog } from './releases/release-models.js';
export type { ChannelState } from './releases/rollout.js';
export { Rollout } from './releases/rollout.js';
export type { SigningKey } from './releases/signing-key.js';
export { loadOrCreateSigningKey } from './releases/signing-key.js';
export type { DeviceCredentialChange } from './security/device-credentials.js';
export {
  onDeviceCredentialsChanged,
  revokeDevice,
  rotateDeviceSecret,
} from './security/device-credentials.js';
export type { ClientCertificate, LocalCa, LocalCaOptions } from './security/local-ca.js';
export { ensureLocalCa, issueClientCertificate } from './security/local-ca.js';
export type { CloudTlsOptions, ResolvedTls } from './security/tls-files.js';
export { localCaDir, readTlsFiles, resolveCloudTls, spkiSha256 } from './security/tls-files.js';
export * from './storage/index.js';
export type { EcgVectorIndexOptions, IndexHit } from './vector-index/ecg-vector-index.js';
export { EcgVectorIndex } from './vector-index/ecg-vector-index.js';
export type { AnnSettings } from './vector-index/release-vectors.js';
export { DEFAULT_ANN_SETTINGS } from './vector-index/release-vectors.js';
