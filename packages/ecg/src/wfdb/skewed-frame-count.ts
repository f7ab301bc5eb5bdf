/**
 * With skew applied, the record ends at the last frame where every signal still has a stored sample, as
 * WFDB's rdsamp ends there: a signal skewed by k frames lacks the last k frames of its file.
 */
export function framesWithEverySignal(
  frameCount: number,
  groups: readonly { readonly framesInFile: number; readonly maxSkew: number }[],
): number {
  return Math.max(0, Math.min(frameCount, ...groups.map((g) => g.framesInFile - g.maxSkew)));
}
