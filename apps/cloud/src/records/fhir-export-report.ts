/**
 * A signed report as a FHIR R4 `DiagnosticReport`: the clinician's statements as `conclusion`, each
 * signed code as a `conclusionCode` coded in SNOMED CT (where the table has an equivalent) and SCP-ECG,
 * the clinician as `performer`, and `result` referencing the ECG `Observation` of the case. The cloud
 * holds a device case's embedding, not its waveform, so the Observation is referenced by a stable id and
 * by the case's identifier (`deviceId/seq`); `@heartline/ecg/fhir`'s `ecgToFhirObservation` writes that
 * Observation where the raw ECG exists. The first identifier is the study, as `recordsFromFhir` reads it
 * back, so an exported report imports again as the same study's record.
 */
import { snomedForScp } from '@heartline/ecg/data';
import { CLASS_PROMPTS } from '@heartline/model/text';
import type { FhirDiagnosticReport, SignOff } from '../http/routes/clinical.js';

/** Code system of SCP-ECG statements as heartline writes them (PTB-XL's `scp_codes` keys). */
export const SCP_ECG_SYSTEM = 'urn:heartline:scp-ecg';
/** Identifier systems of heartline's studies and cases. */
export const STUDY_SYSTEM = 'urn:heartline:study';
export const CASE_SYSTEM = 'urn:heartline:case';
const SNOMED_SYSTEM = 'http://snomed.info/sct';
const LOINC_SYSTEM = 'http://loinc.org';

/** A FHIR id (`[A-Za-z0-9.-]{1,64}`) made from any text. */
export function fhirId(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
}

/** What the export needs of the signed record. */
export interface SignedRecordForFhir {
  readonly id: string;
  readonly patientId: string | null;
  readonly studyId: string | null;
  /** ISO 8601: the case's recording time. */
  readonly effective: string | null;
  readonly text: string;
  readonly codes: readonly string[];
}

/** The DiagnosticReport of a signed record. */
export function signedReportToFhir(record: SignedRecordForFhir, signOff: SignOff): FhirDiagnosticReport {
  const caseRef = `${signOff.deviceId}/${signOff.seq}`;
  return {
    resourceType: 'DiagnosticReport',
    id: fhirId(record.id),
    ...(record.studyId !== null ? { identifier: [{ system: STUDY_SYSTEM, value: record.studyId }] } : {}),
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'EC', display: 'Electrocardiac' },
        ],
      },
    ],
    code: { coding: [{ system: LOINC_SYSTEM, code: '11524-6', display: 'EKG study' }], text: 'ECG report' },
    ...(record.patientId !== null ? { subject: { reference: `Patient/${fhirId(record.patientId)}` } } : {}),
    ...(record.effective !== null ? { effectiveDateTime: record.effective } : {}),
    issued: signOff.signedAt,
    performer: [{ display: signOff.signedBy }],
    result: [
      {
        reference: `Observation/${fhirId(`ecg-${signOff.deviceId}-${signOff.seq}`)}`,
        identifier: { system: CASE_SYSTEM, value: caseRef },
        display: `ECG of case ${caseRef}`,
      },
    ],
    conclusion: record.text,
    conclusionCode: record.codes.map((code) => {
      const snomed = snomedForScp(code);
      const display = CLASS_PROMPTS[code]?.en[0] ?? snomed?.display ?? code;
      return {
        coding: [
          ...(snomed ? [{ system: SNOMED_SYSTEM, code: snomed.code, display: snomed.display }] : []),
          { system: SCP_ECG_SYSTEM, code, display },
        ],
        text: display,
      };
    }),
  };
}
