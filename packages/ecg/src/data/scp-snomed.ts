/**
 * The reverse of {@link SNOMED_CLASS_TABLE}: the SNOMED CT concept that stands for an SCP-ECG statement
 * (or a PTB-XL superclass) when a heartline code is written out, e.g. as a FHIR `conclusionCode`.
 *
 * Several SNOMED codes can map to one SCP statement (`164909002` and `733534002` both to CLBBB); the first
 * row of the table wins, which is the Challenge's scored code where there is one. A superclass has an
 * equivalent only where the table has a row of that very concept (MI → `164865005` "myocardial
 * infarction"); NORM, STTC, CD and HYP are groupings with no single SNOMED concept and get none, rather
 * than a guess.
 */
import { SNOMED_CLASS_TABLE, type SnomedClassEntry } from './snomed-classes.js';

/** The SNOMED CT equivalent of one heartline code. */
export interface SnomedEquivalent {
  /** SNOMED CT concept id. */
  readonly code: string;
  /** The Challenge's name for the concept (lower case, as the table has it). */
  readonly display: string;
}

const BY_SCP: ReadonlyMap<string, SnomedClassEntry> = (() => {
  const map = new Map<string, SnomedClassEntry>();
  for (const entry of SNOMED_CLASS_TABLE.values()) {
    for (const key of [entry.scp, entry.rhythm]) {
      if (key !== undefined && !map.has(key)) map.set(key, entry);
    }
    // A row that is the superclass concept itself (its abbreviation is the superclass's code).
    if (
      entry.superclass !== undefined &&
      entry.abbreviation === entry.superclass &&
      !map.has(entry.superclass)
    ) {
      map.set(entry.superclass, entry);
    }
  }
  return map;
})();

/** The SNOMED CT concept equivalent to an SCP-ECG code or superclass, or undefined where none is. */
export function snomedForScp(scp: string): SnomedEquivalent | undefined {
  const entry = BY_SCP.get(scp);
  return entry && { code: entry.code, display: entry.name };
}

/**
 * The SCP-ECG code a SNOMED CT code maps to (its SCP statement, else its rhythm), or undefined for codes
 * the table does not map or maps only to a superclass.
 */
export function scpForSnomed(snomed: string): string | undefined {
  const entry = SNOMED_CLASS_TABLE.get(snomed);
  return entry?.scp ?? entry?.rhythm;
}
