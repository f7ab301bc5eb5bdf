/**
 * Spatial-temporal masks for masked modelling: per window, a fraction of the usable leads is masked over
 * one contiguous span of time (the paper's example: 20 % of the leads for 30 % of the window). Pure and
 * seeded: the same arguments give the same mask.
 */

import { Rng } from '@heartline/ecg';
import { InvalidArgumentError } from '../errors.js';

/** Arguments of `generatePatchMask`. */
export interface PatchMaskOptions {
  /** Windows in the batch. */
  readonly batch: number;
  /** Leads per window (12). */
  readonly leads: number;
  /** Patches per lead (20). */
  readonly patches: number;
  /** Fraction of the usable leads to mask, rounded, at least 1 and never all when more than one is usable. */
  readonly leadRatio: number;
  /** Fraction of the patches masked on those leads, one contiguous span, rounded, at least 1. */
  readonly timeRatio: number;
  /** [batch × leads], 1 = usable; masked-off leads are never chosen (their data is not a target). Default all usable. */
  readonly leadMask?: Uint8Array;
  /** Seed of the choice. */
  readonly seed: number | string;
}

/**
 * How much of a window a mask covers: `count` of its `usable` leads (the ratio, rounded, at least 1, never
 * all when more than one is usable) over a span of `span` patches (rounded, at least 1); and, for masks
 * taken in turn, how many lead `groups` and time `spans` a window cycles through.
 */
export function maskShape(
  usable: number,
  patches: number,
  leadRatio: number,
  timeRatio: number,
): { count: number; span: number; groups: number; spans: number } {
  const cap = usable > 1 ? usable - 1 : 1;
  const count = Math.min(cap, Math.max(1, Math.round(leadRatio * usable)));
  const span = Math.min(patches, Math.max(1, Math.round(timeRatio * patches)));
  return { count, span, groups: Math.ceil(usable / count), spans: Math.ceil(patches / span) };
}

/** The usable leads of window `b` (all when there is no lead mask). */
export function usableLeads(leadMask: Uint8Array | undefined, b: number, leads: number): number[] {
  const usable: number[] = [];
  for (let l = 0; l < leads; l++) if (!leadMask || leadMask[b * leads + l] === 1) usable.push(l);
  return usable;
}

/** Returns [batch × leads × patches] (lead-major per window), 1 = masked patch. */
export function generatePatchMask(o: PatchMaskOptions): Uint8Array {
  const { batch, leads, patches } = o;
  if (o.leadMask && o.leadMask.length !== batch * leads) {
    throw new InvalidArgumentError(
      'leadMask.length',
      o.leadMask.length,
      `must be batch × leads = ${batch * leads}`,
    );
  }
  for (const [name, r] of [
    ['leadRatio', o.leadRatio],
    ['timeRatio', o.timeRatio],
  ] as const) {
    if (!(r >= 0 && r <= 1)) throw new InvalidArgumentError(name, r, 'must be in [0, 1]');
  }
  const out = new Uint8Array(batch * leads * patches);
  if (o.leadRatio === 0 || o.timeRatio === 0) return out;
  const rng = new Rng(`patch-mask:${o.seed}`);
  for (let b = 0; b < batch; b++) {
    const usable = usableLeads(o.leadMask, b, leads);
    if (usable.length === 0) continue;
    const { count, span } = maskShape(usable.length, patches, o.leadRatio, o.timeRatio);
    const chosen = rng.shuffle(usable).slice(0, count);
    const start = rng.int(0, patches - span);
    for (const l of chosen)
      out.fill(1, (b * leads + l) * patches + start, (b * leads + l) * patches + start + span);
  }
  return out;
}
