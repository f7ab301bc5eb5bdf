/**
 * An align release beside its parent: an align job evaluates the new release and its parent on the same
 * held-out pairs (metrics.json `validation` and `parent.validation`, see the trainer's align-release.ts).
 * This file reads that comparison and holds the rollout gate built on it: an align release without it is
 * never rolled out (nobody has seen how it does), and one worse than its parent on held-out report→ECG
 * R@10 or zero-shot macro AUROC is rolled out only when the operator forces it.
 */
import { ConflictError } from '../errors.js';

/** The held-out figures the gate compares; null where the evaluation has none (no class codes…). */
export interface HeldOutFigures {
  readonly zeroShotAuroc: number | null;
  readonly reportToEcgR10: number | null;
}

/** An align release's held-out evaluation beside its parent's, on the same pairs. */
export interface AlignComparison {
  readonly parent: string;
  /** Held-out pairs both were scored on. */
  readonly heldOut: number | null;
  readonly release: HeldOutFigures;
  readonly parentFigures: HeldOutFigures;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const figure = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

function heldOutFigures(report: Record<string, unknown>): HeldOutFigures {
  const zeroShot = isRecord(report['zeroShot']) ? report['zeroShot'] : {};
  const retrieval = isRecord(report['retrieval']) ? report['retrieval'] : {};
  const reportToEcg = isRecord(retrieval['reportToEcg']) ? retrieval['reportToEcg'] : {};
  return { zeroShotAuroc: figure(zeroShot['macroAuroc']), reportToEcgR10: figure(reportToEcg['r10']) };
}

/**
 * The comparison stored in an align release's metrics.json (`{ validation, parent: { id, validation } }`),
 * or null when it is missing or has no held-out R@10 for both (retrieval is always evaluated, so a
 * missing one means no usable evaluation).
 */
export function alignComparison(metrics: unknown): AlignComparison | null {
  if (!isRecord(metrics) || !isRecord(metrics['validation']) || !isRecord(metrics['parent'])) return null;
  const parent = metrics['parent'];
  if (typeof parent['id'] !== 'string' || !isRecord(parent['validation'])) return null;
  const release = heldOutFigures(metrics['validation']);
  const parentFigures = heldOutFigures(parent['validation']);
  if (release.reportToEcgR10 === null || parentFigures.reportToEcgR10 === null) return null;
  const n = figure(metrics['validation']['n']);
  return { parent: parent['id'], heldOut: n, release, parentFigures };
}

/** The figures on which `comparison`'s release is worse than its parent, as `name (child < parent)`. */
export function regressions(comparison: AlignComparison): string[] {
  const out: string[] = [];
  const check = (name: string, key: keyof HeldOutFigures) => {
    const child = comparison.release[key];
    const parent = comparison.parentFigures[key];
    if (child !== null && parent !== null && child < parent)
      out.push(`${name} (${child.toFixed(3)} < ${parent.toFixed(3)})`);
  };
  check('report→ECG R@10', 'reportToEcgR10');
  check('zero-shot macro AUROC', 'zeroShotAuroc');
  return out;
}

/**
 * Refuses (ConflictError, HTTP 409) rolling out align release `releaseId` without a held-out evaluation
 * beside its parent, or, unless `force`, one worse than its parent on it. Pretrained releases pass: they
 * have no parent to be compared with. `manifest` is release.json, `metrics` metrics.json (undefined when
 * the release has none).
 */
export function checkAlignRollout(
  releaseId: string,
  manifest: unknown,
  metrics: unknown,
  force: boolean,
): void {
  if (!isRecord(manifest) || manifest['mode'] !== 'align') return;
  const comparison = alignComparison(metrics);
  if (!comparison) {
    throw new ConflictError(
      `align release ${releaseId} has no held-out evaluation beside its parent (metrics.json validation and ` +
        'parent.validation with report→ECG R@10): it cannot be rolled out; train it again with an align job, which stores both',
    );
  }
  const worse = regressions(comparison);
  if (worse.length > 0 && !force) {
    throw new ConflictError(
      `align release ${releaseId} is worse than its parent ${comparison.parent} on the held-out pairs: ` +
        `${worse.join(', ')}; send "force": true with the rollout to publish it anyway`,
    );
  }
}
