/**
 * Shapes of the `/api/v1` answers the dashboard reads: the types of the routes' zod schemas, so the API
 * contract is written once. Type-only exports: esbuild erases them, nothing of the server (or zod)
 * reaches the browser bundle.
 */

export type {
  DraftReport,
  FhirDiagnosticReport,
  SignOff,
  SignOffRequest,
  WorklistItem,
} from '../src/http/routes/clinical.js';
export type { DeviceList, FleetDevice, FleetList, RegisteredDevice } from '../src/http/routes/devices.js';
export type { AlignProposal, Job, JobCreated, JobList, JobProgress } from '../src/http/routes/jobs.js';
export type {
  CaseDetail,
  CaseList,
  CaseSummary,
  Diagnosis,
  EcgHit,
  EcgHits,
  LinkedRecord,
  RecordHit,
  RecordHits,
  Waveform,
} from '../src/http/routes/queries.js';
export type {
  ChannelEvent,
  ChannelEventList,
  ChannelState,
  Recall,
  Release as ReleaseSummary,
  ReleaseDetails as ReleaseDetail,
  ReleaseList,
  RocCurve,
  TrainingLogRecord,
} from '../src/http/routes/releases.js';
export type { WhoAmI } from '../src/http/routes/whoami.js';
/** A bearer token's role, least privileged first. */
export type { Role } from '../src/storage/tokens.js';
