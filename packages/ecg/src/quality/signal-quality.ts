import type { LeadQuality } from './lead-quality.js';

/** Quality of a whole multi-lead signal. */
export interface SignalQuality {
  /** One verdict per lead, in lead order. */
  readonly leads: readonly LeadQuality[];
  /** The encoder's lead mask: 1 = usable (status `ok`), 0 = missing or masked for quality. */
  readonly leadMask: Uint8Array;
  /**
   * 0–1: the mean of the per-lead scores over all lead slots, so a missing or masked lead costs
   * 1 / leads and a usable but noisier lead costs at most half that.
   */
  readonly score: number;
}

/** Combines per-lead verdicts into the lead mask and the 0–1 score. */
export function summariseQuality(leads: readonly LeadQuality[]): SignalQuality {
  const leadMask = Uint8Array.from(leads, (lead) => (lead.status === 'ok' ? 1 : 0));
  const total = leads.reduce((sum, lead) => sum + lead.score, 0);
  return { leads, leadMask, score: leads.length === 0 ? 0 : total / leads.length };
}
