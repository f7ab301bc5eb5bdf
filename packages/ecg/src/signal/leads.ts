import type { MultiLeadSignal } from './multi-lead-signal.js';
import { leadUnit, sampleCount } from './multi-lead-signal.js';

/** The canonical 12-lead order every model input uses. */
export const CANONICAL_LEADS = [
  'I',
  'II',
  'III',
  'aVR',
  'aVL',
  'aVF',
  'V1',
  'V2',
  'V3',
  'V4',
  'V5',
  'V6',
] as const;

/** One of the 12 canonical lead names. */
export type CanonicalLead = (typeof CANONICAL_LEADS)[number];

/** Options for {@link mapLeads} and {@link canonicalLeadName}. */
export interface LeadMappingOptions {
  /**
   * Map modified monitoring leads onto the standard lead they approximate (`MLII` → II, `MLI` → I,
   * `MLIII` → III). Default false: a modified limb lead (Mason–Likar torso placement, as in MIT-BIH)
   * has a different amplitude and axis from the standard limb lead, so by default it is reported as
   * ignored rather than passed off as the standard lead.
   */
  readonly mapModifiedLeads?: boolean;
}

/** The 12-lead signal in canonical order, with what was missing and what was left out. */
export interface LeadMapping {
  /** Exactly the 12 canonical leads; a missing lead is all zeros (its mask entry is 0). */
  readonly signal: MultiLeadSignal;
  /** Per canonical lead: 1 when the input had it, 0 when it is missing. */
  readonly leadMask: Uint8Array;
  /** Per canonical lead: index of the input lead it came from, -1 when missing. */
  readonly sourceIndex: Int16Array;
  /** Canonical leads the input did not have (reported, never derived from other leads). */
  readonly missing: CanonicalLead[];
  /** Input lead names that were not used (unknown, negated, Frank leads, duplicates). */
  readonly ignored: string[];
}

// Keys are lower-case names with the prefixes and separators removed (see `normaliseLeadName`).
const LEAD_ALIASES: ReadonlyMap<string, CanonicalLead> = new Map<string, CanonicalLead>([
  ['i', 'I'],
  ['ii', 'II'],
  ['iii', 'III'],
  // European (Einthoven "Ableitung") names.
  ['d1', 'I'],
  ['d2', 'II'],
  ['d3', 'III'],
  ['di', 'I'],
  ['dii', 'II'],
  ['diii', 'III'],
  ['avr', 'aVR'],
  ['avl', 'aVL'],
  ['avf', 'aVF'],
  ['v1', 'V1'],
  ['v2', 'V2'],
  ['v3', 'V3'],
  ['v4', 'V4'],
  ['v5', 'V5'],
  ['v6', 'V6'],
]);

const MODIFIED_LEAD_ALIASES: ReadonlyMap<string, CanonicalLead> = new Map<string, CanonicalLead>([
  ['mli', 'I'],
  ['mlii', 'II'],
  ['mliii', 'III'],
]);

// `ECG-V1` uses the hyphen as a separator; `ECG -aVR` (space, then minus) is a negated lead.
const PREFIX = /^(?:ecg|ekg|lead)(?:[\s_:.]+|-(?=[a-z0-9]))?/;
const NEGATION = /^[-−–]/;

function normaliseLeadName(raw: string): string | undefined {
  let name = raw.trim().toLowerCase();
  // A negated lead (-aVR, the Cabrera display) is the opposite polarity: never the lead itself.
  if (NEGATION.test(name)) return undefined;
  name = name.replace(PREFIX, '');
  if (NEGATION.test(name)) return undefined;
  return name.replace(/[\s_.]+/g, '');
}

/** The canonical name of a raw lead name, or undefined when it is not one of the 12 standard leads. */
export function canonicalLeadName(raw: string, options: LeadMappingOptions = {}): CanonicalLead | undefined {
  const key = normaliseLeadName(raw);
  if (key === undefined) return undefined;
  const lead = LEAD_ALIASES.get(key);
  if (lead !== undefined) return lead;
  return options.mapModifiedLeads === true ? MODIFIED_LEAD_ALIASES.get(key) : undefined;
}

/**
 * Reorders a signal's leads into the canonical 12-lead order. Present leads share the input arrays (no
 * copy); missing leads become zero arrays flagged 0 in `leadMask`; unknown, negated, duplicate and Frank
 * (vx, vy, vz) leads are listed in `ignored`.
 */
export function mapLeads(signal: MultiLeadSignal, options: LeadMappingOptions = {}): LeadMapping {
  const n = sampleCount(signal);
  const sourceIndex = new Int16Array(CANONICAL_LEADS.length).fill(-1);
  const ignored: string[] = [];
  signal.leadNames.forEach((raw, index) => {
    const lead = canonicalLeadName(raw, options);
    const slot = lead === undefined ? -1 : CANONICAL_LEADS.indexOf(lead);
    if (slot < 0 || sourceIndex[slot] !== -1) ignored.push(raw);
    else sourceIndex[slot] = index;
  });
  const leadMask = new Uint8Array(CANONICAL_LEADS.length);
  const missing: CanonicalLead[] = [];
  const units = CANONICAL_LEADS.map((_, slot) => {
    const source = sourceIndex[slot]!;
    return source >= 0 ? leadUnit(signal, source) : 'mV';
  });
  const leads = CANONICAL_LEADS.map((lead, slot) => {
    const source = sourceIndex[slot]!;
    const data = source >= 0 ? signal.leads[source] : undefined;
    if (data !== undefined) {
      leadMask[slot] = 1;
      return data;
    }
    missing.push(lead);
    return new Float32Array(n);
  });
  return {
    signal: {
      sampleRate: signal.sampleRate,
      leadNames: [...CANONICAL_LEADS],
      leads,
      ...(signal.units ? { units } : {}),
    },
    leadMask,
    sourceIndex,
    missing,
    ignored,
  };
}
