export type { EcgLeadSamples, EcgSamples } from './ecg-observation-types.js';
export type { FhirExportOptions } from './export-observation.js';
export { ecgToFhirObservation } from './export-observation.js';
export { wfdbRecordToEcgSamples } from './from-wfdb.js';
export { fhirObservationToEcg, IMPORTED_INVALID } from './import-observation.js';
export { leadOfMdcCode, MDC_ECG_ELEC_POTL, MDC_SYSTEM, mdcLeadCode } from './mdc-leads.js';
