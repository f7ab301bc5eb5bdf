import { sameChecksum, wfdbChecksum } from './checksum.js';
import type { DecodedWfdbRecord } from './decode.js';

/** How one signal's decoded samples compare with its header's checksum and initial value. */
export interface WfdbSignalCheck {
  /** Signal index in the header. */
  readonly index: number;
  /** The signal's description (lead name). */
  readonly description: string;
  /** Decoded samples (frames × samples per frame). */
  readonly sampleCount: number;
  /** Checksum written in the header (undefined when omitted). */
  readonly expectedChecksum: number | undefined;
  /** 16-bit sum of the decoded samples (signed). */
  readonly actualChecksum: number;
  /** True/false when the header has a checksum, undefined when it has none. */
  readonly checksumMatches: boolean | undefined;
  /** Initial value written in the header (undefined when omitted). */
  readonly expectedInitialValue: number | undefined;
  /** First decoded sample (undefined for an empty signal). */
  readonly actualInitialValue: number | undefined;
  /** True/false when the header has an initial value, undefined when it has none. */
  readonly initialValueMatches: boolean | undefined;
  /** Why a check could not be made (e.g. skew applied), if so. */
  readonly note?: string;
}

/**
 * Compares each signal's decoded samples with the checksum (sum mod 2^16, signed or unsigned) and
 * initial value of its header line. Decode with `applySkew: false` to check skewed signals too.
 */
export function verifyWfdbRecord(record: DecodedWfdbRecord): WfdbSignalCheck[] {
  return record.signals.map((signal, index) => {
    const { spec, digital } = signal;
    const base = { index, description: spec.description, sampleCount: digital.length };
    const actualChecksum = wfdbChecksum(digital);
    const actualInitialValue = digital.length > 0 ? digital[0] : undefined;
    const expectedInitialValue = spec.initialValueSpecified ? spec.initialValue : undefined;
    if (record.skewApplied && spec.skew > 0) {
      return {
        ...base,
        expectedChecksum: spec.checksum,
        actualChecksum,
        checksumMatches: undefined,
        expectedInitialValue,
        actualInitialValue,
        initialValueMatches: undefined,
        note: `skew ${spec.skew} applied: the header describes the stored samples; decode with applySkew false to check`,
      };
    }
    return {
      ...base,
      expectedChecksum: spec.checksum,
      actualChecksum,
      checksumMatches: spec.checksum === undefined ? undefined : sameChecksum(spec.checksum, actualChecksum),
      expectedInitialValue,
      actualInitialValue,
      initialValueMatches:
        expectedInitialValue === undefined ? undefined : actualInitialValue === expectedInitialValue,
    };
  });
}

/** True when no check in `checks` failed (missing fields and skipped checks do not count as failures). */
export function allChecksPass(checks: readonly WfdbSignalCheck[]): boolean {
  return checks.every((c) => c.checksumMatches !== false && c.initialValueMatches !== false);
}
