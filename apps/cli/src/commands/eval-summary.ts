import type { BootstrapInterval, ConfidenceInterval } from '@heartline/model/metrics';
import type { EvaluationReport, SupervisedBaselineReport } from '@heartline/trainer';

/** What `heartline eval` reports: the evaluation, where its probe trained, and the supervised baseline. */
export interface EvalOutput extends EvaluationReport {
  readonly release: string;
  readonly data: string;
  readonly folds: readonly number[] | null;
  /** The folder and folds the linear probes (and the supervised baseline) trained on. */
  readonly probeTrain: { readonly data: string; readonly folds: readonly number[] } | null;
  /** Null unless `--supervised`. */
  readonly supervised: SupervisedBaselineReport | null;
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3);
}

/** `0.800 [0.74, 0.86]`: the figure, then its interval (left out where undefined). */
export function fmtCi(ci: ConfidenceInterval | null | undefined): string {
  if (!ci) return 'n/a';
  const bounds = Number.isNaN(ci.low) || Number.isNaN(ci.high);
  return bounds ? fmt(ci.value) : `${fmt(ci.value)} [${ci.low.toFixed(2)}, ${ci.high.toFixed(2)}]`;
}

/** Says how many resamples a macro figure left out (a class drawn without positives or negatives). */
function skippedNote(ci: BootstrapInterval | null | undefined): string {
  return ci && ci.skipped > 0 ? ` (${ci.skipped} of ${ci.draws} resamples skipped)` : '';
}

/** The text report of `heartline eval`. */
export function evalSummary(out: EvalOutput): string {
  const b = out.bootstrap;
  const lines = [
    `n = ${out.n}; classes: ${out.classes.join(', ')}`,
    `intervals: ${Math.round(b.level * 100)} % ${b.method} (${b.draws} draws, seed ${b.seed})`,
  ];
  const z = out.zeroShot;
  lines.push(
    `zero-shot: macro AUROC ${fmtCi(z.macroAurocCi)}${skippedNote(z.macroAurocCi)}, macro F1 ${fmt(z.macroF1)} (thresholds: ${z.f1Thresholds})`,
  );
  for (const [code, c] of Object.entries(z.perClass)) {
    lines.push(`  ${code.padEnd(6)} AUROC ${fmtCi(c.aurocCi)}  F1 ${fmt(c.f1)}  positives ${c.positives}`);
  }
  if (out.linearProbe && out.probeTrain) {
    const p = out.linearProbe;
    lines.push(
      `linear probe AUROC (${p.trainExamples} training examples, ${out.probeTrain.data} folds ${out.probeTrain.folds.join(',')}):`,
      `  1 % ${fmtCi(p.p1Ci)}, 10 % ${fmtCi(p.p10Ci)}, 100 % ${fmtCi(p.p100Ci)}`,
    );
  }
  if (out.supervised) {
    const s = out.supervised;
    const stopping =
      s.validationExamples > 0
        ? `early-stopped on ${s.validationExamples} records of the last training fold`
        : 'no early stopping';
    lines.push(
      `supervised baseline (same encoder, trained on ${s.trainExamples} of those records, ${stopping}; ${s.steps} steps, ${s.stoppedBy}):`,
      `  macro AUROC ${fmtCi(s.macroAurocCi)}${skippedNote(s.macroAurocCi)} beside the linear probe's 100 % ${fmtCi(out.linearProbe?.p100Ci)}`,
    );
    for (const [code, c] of Object.entries(s.perClass))
      lines.push(`  ${code.padEnd(6)} AUROC ${fmtCi(c.aurocCi)}`);
  }
  if (out.retrieval) {
    const r = out.retrieval;
    lines.push(
      `report→ECG R@1/5/10: ${fmtCi(r.reportToEcg.r1Ci)} / ${fmtCi(r.reportToEcg.r5Ci)} / ${fmtCi(r.reportToEcg.r10Ci)}`,
      `ECG→report R@1/5/10: ${fmtCi(r.ecgToReport.r1Ci)} / ${fmtCi(r.ecgToReport.r5Ci)} / ${fmtCi(r.ecgToReport.r10Ci)}`,
    );
    for (const [language, f] of Object.entries(r.reportToEcgByLanguage)) {
      lines.push(`  report→ECG (${language} queries, ${f.queries}) R@10 ${fmtCi(f.r10Ci)}`);
    }
  }
  for (const [k, m] of Object.entries(out.missingLeads)) {
    lines.push(
      `${k} lead(s) masked: zero-shot macro AUROC ${fmtCi(m.zeroShotMacroAurocCi)}, report→ECG R@10 ${fmtCi(m.reportToEcgR10Ci)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
