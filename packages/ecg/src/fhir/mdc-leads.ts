import type { CanonicalLead } from '../signal/leads.js';

/** Code system of ISO/IEEE 11073-10101 (MDC) nomenclature codes in FHIR. */
export const MDC_SYSTEM = 'urn:oid:2.16.840.1.113883.6.24';

/** MDC_ECG_ELEC_POTL: the ECG electrical potential, the Observation's code. */
export const MDC_ECG_ELEC_POTL = { code: '131328', display: 'MDC_ECG_ELEC_POTL' } as const;

// Partition 2 (SCADA) code 256 + the MDC_ECG_LEAD_* number: I 1, II 2, V1…V6 3…8, III 61, aVR 62,
// aVL 63, aVF 64 (ISO/IEEE 11073-10101 lead table).
const LEAD_NUMBERS: Readonly<Record<CanonicalLead, number>> = {
  I: 1,
  II: 2,
  III: 61,
  aVR: 62,
  aVL: 63,
  aVF: 64,
  V1: 3,
  V2: 4,
  V3: 5,
  V4: 6,
  V5: 7,
  V6: 8,
};

/** The MDC code and display of one lead's potential, e.g. I → 131329 `MDC_ECG_ELEC_POTL_I`. */
export function mdcLeadCode(lead: CanonicalLead): { code: string; display: string } {
  return {
    code: String(131328 + LEAD_NUMBERS[lead]),
    display: `MDC_ECG_ELEC_POTL_${lead.toUpperCase()}`,
  };
}

/** The lead an MDC lead-potential code names, or undefined for any other code. */
export function leadOfMdcCode(code: string): CanonicalLead | undefined {
  for (const [lead, n] of Object.entries(LEAD_NUMBERS)) {
    if (String(131328 + n) === code) return lead as CanonicalLead;
  }
  return undefined;
}
