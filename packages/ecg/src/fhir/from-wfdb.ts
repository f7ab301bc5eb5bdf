import { canonicalLeadName } from '../signal/leads.js';
import type { DecodedWfdbRecord } from '../wfdb/decode.js';
import { invalidSampleValue } from '../wfdb/formats.js';
import type { EcgLeadSamples, EcgSamples } from './ecg-observation-types.js';

/** A decoded record's standard leads as `EcgSamples`, and the signal names that are not standard leads. */
export function wfdbRecordToEcgSamples(record: DecodedWfdbRecord): {
  ecg: EcgSamples;
  skipped: string[];
} {
  const leads: EcgLeadSamples[] = [];
  const skipped: string[] = [];
  const used = new Set<string>();
  for (const s of record.signals) {
    const lead = canonicalLeadName(s.spec.description);
    if (lead === undefined || used.has(lead) || s.spec.samplesPerFrame !== 1) {
      skipped.push(s.spec.description);
      continue;
    }
    used.add(lead);
    const invalid = invalidSampleValue(s.spec.format);
    const half = 2 ** (s.spec.adcResolution - 1);
    const low = s.spec.adcZero - half;
    leads.push({
      lead,
      digital: s.digital,
      gain: s.spec.adcGain,
      baseline: s.spec.baseline,
      units: s.spec.units,
      invalid,
      // The lowest code is the invalid marker in most formats: the usable range starts above it.
      range: [low === invalid ? low + 1 : low, s.spec.adcZero + half - 1],
    });
  }
  return { ecg: { sampleRate: record.header.samplingFrequency, leads }, skipped };
}
