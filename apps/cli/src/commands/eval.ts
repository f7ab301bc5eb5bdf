import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLASS_PROMPTS, CLASS_SETS } from '@heartline/model/text';
import {
  type EvaluationReport,
  type ExampleSet,
  evaluate,
  examplesFromChallengeFolder,
  examplesFromPtbxlFolder,
  filterExamples,
  loadRelease,
  selectBackend,
  tfEncoders,
} from '@heartline/trainer';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline eval --release DIR --data DIR [--folds 8] [--json]

Evaluates a release on a PTB-XL-layout folder (evaluation folds --folds; the linear probe trains on the
other folds 1–8 of the same folder) or on a PhysioNet Challenge 2020/2021-layout folder (.hea + .mat,
SNOMED CT labels mapped to heartline's classes; no reports, so no retrieval and no probe). Reports
zero-shot diagnosis (macro AUROC, F1, per class), linear-probe AUROC at 1/10/100 % of labels,
ECG↔report Recall@1/5/10 by report language, and the same with 1, 3 and 6 leads masked.`;

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(3);
}

function summary(report: EvaluationReport): string {
  const lines = [`n = ${report.n}; classes: ${report.classes.join(', ')}`];
  const z = report.zeroShot;
  lines.push(
    `zero-shot: macro AUROC ${fmt(z.macroAuroc)}, macro F1 ${fmt(z.macroF1)} (thresholds: ${z.f1Thresholds})`,
  );
  for (const [code, c] of Object.entries(z.perClass)) {
    lines.push(`  ${code.padEnd(6)} AUROC ${fmt(c.auroc)}  F1 ${fmt(c.f1)}  positives ${c.positives}`);
  }
  if (report.linearProbe) {
    const p = report.linearProbe;
    lines.push(
      `linear probe AUROC: 1 % ${fmt(p.p1)}, 10 % ${fmt(p.p10)}, 100 % ${fmt(p.p100)} (${p.trainExamples} training examples)`,
    );
  }
  if (report.retrieval) {
    const r = report.retrieval;
    lines.push(
      `report→ECG R@1/5/10: ${fmt(r.reportToEcg.r1)} / ${fmt(r.reportToEcg.r5)} / ${fmt(r.reportToEcg.r10)}`,
    );
    lines.push(
      `ECG→report R@1/5/10: ${fmt(r.ecgToReport.r1)} / ${fmt(r.ecgToReport.r5)} / ${fmt(r.ecgToReport.r10)}`,
    );
    for (const [language, f] of Object.entries(r.reportToEcgByLanguage)) {
      lines.push(`  report→ECG (${language} queries, ${f.queries}) R@10 ${fmt(f.r10)}`);
    }
  }
  for (const [k, m] of Object.entries(report.missingLeads)) {
    lines.push(
      `${k} lead(s) masked: zero-shot macro AUROC ${fmt(m.zeroShotMacroAuroc)}, report→ECG R@10 ${fmt(m.reportToEcgR10)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `heartline eval`: evaluates a release on a labelled folder. */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a release: zero-shot, linear probe, retrieval, missing-lead robustness',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      release: { type: 'string' },
      data: { type: 'string' },
      folds: { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.release) throw new UsageError('--release DIR is required');
    if (!values.data) throw new UsageError('--data DIR is required');
    const folds = values.folds.split(',').map((f) => Number(f.trim()));
    if (folds.some((f) => !Number.isInteger(f) || f < 1 || f > 10)) {
      throw new UsageError(`--folds must list PTB-XL strat folds 1–10, got '${values.folds}'`);
    }
    await selectBackend(undefined, { log: () => {} });
    const release = await loadRelease(values.release);
    try {
      const isPtbxl = existsSync(join(values.data, 'ptbxl_database.csv'));
      let set: ExampleSet;
      let probeTrain: ExampleSet | undefined;
      let classes: readonly string[];
      if (isPtbxl) {
        // One pass over the folder: the evaluation folds, and folds 1–8 outside them for the probe.
        const probeFolds = [1, 2, 3, 4, 5, 6, 7, 8].filter((f) => !folds.includes(f));
        const all = (await examplesFromPtbxlFolder(values.data, { folds: [...folds, ...probeFolds] })).set;
        set = filterExamples(all, (i) => folds.includes(all.folds[i]!));
        probeTrain = filterExamples(all, (i) => probeFolds.includes(all.folds[i]!));
        classes = CLASS_SETS.superclass;
      } else {
        const challenge = await examplesFromChallengeFolder(values.data);
        set = challenge.set;
        classes = [...CLASS_SETS.superclass, ...CLASS_SETS.rhythm];
        const unmapped = Object.entries(challenge.unmappedCodes);
        if (unmapped.length)
          io.stderr(
            `eval: SNOMED codes not mapped (listed, not guessed): ${unmapped.map(([c, n]) => `${c}×${n}`).join(', ')}\n`,
          );
      }
      if (set.size === 0)
        throw new UsageError(`no records with a signal in ${values.data} (folds ${folds.join(', ')})`);
      const report = evaluate(tfEncoders(release.model, release.tokenizer), set, {
        classes: classes.filter((c) => set.labels.some((l) => l.includes(c))),
        prompts: CLASS_PROMPTS,
        ...(probeTrain && probeTrain.size > 0 ? { probeTrain } : {}),
        onProgress: (stage) => io.stderr(`eval: ${stage}\n`),
      });
      io.stdout(
        values.json
          ? `${JSON.stringify({ release: release.manifest.id, data: values.data, ...report })}\n`
          : summary(report),
      );
      return 0;
    } finally {
      release.model.dispose();
    }
  },
};
