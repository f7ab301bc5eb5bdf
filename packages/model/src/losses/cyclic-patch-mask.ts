/**
 * Masks for the self-supervised stage, chosen in turn instead of at random: on successive visits of a
 * window, the masked lead group moves through all usable leads, and once every group has had its turn the
 * masked time span moves on, so over `groups × spans` visits every usable lead is reconstructed over every
 * time span. Pure: the same arguments give the same mask.
 */
import { InvalidArgumentError } from '../errors.js';
import { maskShape, type PatchMaskOptions, usableLeads } from './patch-mask.js';

/**
 * Arguments of {@link cyclicPatchMask}: `generatePatchMask`'s shape, ratios (here in (0, 1]) and lead mask,
 * with each row's turn instead of a seed.
 */
export interface CyclicPatchMaskOptions extends Omit<PatchMaskOptions, 'seed'> {
  /**
   * [batch]: the turn of each row — how often its window was visited (its epoch) plus a fixed offset of
   * the window (so the windows of one batch do not all mask the same leads).
   */
  readonly turns: Int32Array;
}

/** Returns [batch × leads × patches] (lead-major per window), 1 = masked patch. */
export function cyclicPatchMask(o: CyclicPatchMaskOptions): Uint8Array {
  const { batch, leads, patches } = o;
  if (o.turns.length !== batch)
    throw new InvalidArgumentError('turns.length', o.turns.length, `must be ${batch}`);
  if (o.leadMask && o.leadMask.length !== batch * leads)
    throw new InvalidArgumentError(
      'leadMask.length',
      o.leadMask.length,
      `must be batch × leads = ${batch * leads}`,
    );
  for (const [name, r] of [
    ['leadRatio', o.leadRatio],
    ['timeRatio', o.timeRatio],
  ] as const) {
    if (!(r > 0 && r <= 1)) throw new InvalidArgumentError(name, r, 'must be in (0, 1]');
  }
  const out = new Uint8Array(batch * leads * patches);
  for (let b = 0; b < batch; b++) {
    const usable = usableLeads(o.leadMask, b, leads);
    if (usable.length === 0) continue;
    const { count, groups, span, spans } = maskShape(usable.length, patches, o.leadRatio, o.timeRatio);
    const turn = Math.abs(o.turns[b]!);
    const group = turn % groups;
    const start = Math.min(patches - span, (Math.floor(turn / groups) % spans) * span);
    for (let j = 0; j < count; j++) {
      const l = usable[(group * count + j) % usable.length]!;
      out.fill(1, (b * leads + l) * patches + start, (b * leads + l) * patches + start + span);
    }
  }
  return out;
}
