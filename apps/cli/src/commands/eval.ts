import type { CgDmerConfig } from '@heartline/model/nn';
import { CLASS_PROMPTS, CLASS_SETS } from '@heartline/model/text';
import {
  evaluate,
  holdOutLastFold,
  loadRelease,
  type SupervisedBaselineReport,
  selectBackend,
  supervisedBaselineReport,
  tfEncoders,
} from '@heartline/trainer';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';
import { evalPlan, isPtbxlFolder, loadEvalSets } from './eval-data.js';
import { type EvalOutput, evalSummary } from './eval-summary.js';

const usage = `usage: heartline eval --release DIR --data DIR [--folds 8] [--probe-train DIR] [--probe-folds LIST]
                      [--supervised] [--draws 1000] [--json]

Evaluates a release on a PTB-XL-layout folder (evaluation folds --folds) or on a PhysioNet Challenge
2020/2021-layout folder (.hea + .mat, SNOMED CT labels mapped to heartline's classes; no reports, so no
retrieval). Reports zero-shot diagnosis (macro AUROC, F1, per class), linear-probe AUROC at 1/10/100 % of
labels, ECG↔report Recall@1/5/10 by report language, and the same with 1, 3 and 6 leads masked. Every
AUROC and recall carries a 95 % percentile-bootstrap interval over the evaluated records (queries for
recall; the retrieval gallery stays whole), printed as 0.800 [0.74, 0.86].

  --probe-train DIR    train the linear probes on this PTB-XL-layout folder (its folds 1–8, or
                       --probe-folds). Default: the --data folder's folds 1–8 outside --folds; a
                       Challenge folder then gets no probe. Folds 9 and 10 never train anything.
  --probe-folds LIST   the probe's training folds (1–8), e.g. 1,2,3,4,5,6,7
  --supervised         also train the supervised baseline (the release's encoder architecture from its
                       seeded initialisation, BCE on the labels) on the probe's training records, early-
                       stopped on their last fold, and report its macro AUROC beside the probe's
  --draws N            bootstrap resamples (default 1000)`;

/** `heartline eval`: evaluates a release on a labelled folder. */
export const evalCommand: Command = {
  name: 'eval',
  summary:
    'evaluate a release: zero-shot, linear probe, retrieval, missing-lead robustness, with 95 % intervals',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      release: { type: 'string' },
      data: { type: 'string' },
      folds: { type: 'string', default: '8' },
      'probe-train': { type: 'string' },
      'probe-folds': { type: 'string' },
      supervised: { type: 'boolean', default: false },
      draws: { type: 'string', default: '1000' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.release) throw new UsageError('--release DIR is required');
    if (!values.data) throw new UsageError('--data DIR is required');
    const draws = Number(values.draws);
    if (!Number.isInteger(draws) || draws < 1)
      throw new UsageError(`--draws must be a whole number ≥ 1, got '${values.draws}'`);
    const dataIsPtbxl = isPtbxlFolder(values.data);
    const plan = evalPlan({
      data: values.data,
      folds: values.folds,
      probeTrain: values['probe-train'],
      probeFolds: values['probe-folds'],
      dataIsPtbxl,
    });
    if (values.supervised && !plan.probe)
      throw new UsageError('--supervised trains on the probe records: give --probe-train DIR');
    const progress = (stage: string) => io.stderr(`eval: ${stage}\n`);
    await selectBackend(undefined, { log: () => {} });
    const release = await loadRelease(values.release);
    try {
      const { set, probeTrain } = await loadEvalSets(plan, dataIsPtbxl, progress);
      if (set.size === 0)
        throw new UsageError(`no records with a signal in ${values.data} (folds ${plan.folds.join(', ')})`);
      if (plan.probe && (!probeTrain || probeTrain.size === 0))
        throw new UsageError(
          `no records with a signal to train the probe in ${plan.probe.data} (folds ${plan.probe.folds.join(', ')})`,
        );
      const candidates = dataIsPtbxl
        ? CLASS_SETS.superclass
        : [...CLASS_SETS.superclass, ...CLASS_SETS.rhythm];
      const classes = candidates.filter((c) => set.labels.some((l) => l.includes(c)));
      const bootstrap = { draws };
      const report = evaluate(tfEncoders(release.model, release.tokenizer), set, {
        classes,
        prompts: CLASS_PROMPTS,
        ...(probeTrain ? { probeTrain } : {}),
        bootstrap,
        onProgress: progress,
      });
      let supervised: SupervisedBaselineReport | null = null;
      if (values.supervised && probeTrain) {
        progress('supervised baseline (same encoder, binary cross-entropy on the probe’s training labels)');
        const { fit, validation } = holdOutLastFold(probeTrain);
        supervised = supervisedBaselineReport({
          config: release.manifest.config as CgDmerConfig,
          classes,
          train: fit,
          ...(validation ? { validation } : {}),
          test: set,
          bootstrap: { ...bootstrap, seed: report.bootstrap.seed },
          onEpoch: (e) =>
            progress(
              `supervised epoch ${e.epoch} (step ${e.step}): train loss ${e.trainLoss.toFixed(3)}` +
                (e.validationLoss === undefined ? '' : `, validation loss ${e.validationLoss.toFixed(3)}`),
            ),
        });
      }
      const out: EvalOutput = {
        release: release.manifest.id,
        data: values.data,
        folds: dataIsPtbxl ? plan.folds : null,
        probeTrain: plan.probe,
        ...report,
        supervised,
      };
      io.stdout(values.json ? `${JSON.stringify(out)}\n` : evalSummary(out));
      return 0;
    } finally {
      release.model.dispose();
    }
  },
};
