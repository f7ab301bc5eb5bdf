import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootstrapInterval } from '@heartline/model/metrics';
import type { CgDmerConfig } from '@heartline/model/nn';
import { CLASS_PROMPTS, CLASS_SETS } from '@heartline/model/text';
import { missingDataMessage, sharedDataDir } from '@heartline/node-io';
import {
  type Ablation,
  concatExamples,
  type EvaluationReport,
  type ExampleSet,
  evaluate,
  examplesFromChallengeFolder,
  examplesFromFolder,
  holdOutLastFold,
  loadRelease,
  selectBackend,
  supervisedBaselineReport,
  tfEncoders,
  trainRelease,
} from '@heartline/trainer';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { randomBaseline } from './model-quality.bench.js';

const round = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? Number.NaN : Math.round(x * 1000) / 1000;
const ci = (i: BootstrapInterval | null | undefined) =>
  i ? `[${i.low.toFixed(3)}, ${i.high.toFixed(3)}]` : '';

/** The figures of one evaluation, each with its 95 % interval in the unit column. */
function figures(prefix: string, r: EvaluationReport, zeroShotGoal: boolean): BenchFigure[] {
  const out: BenchFigure[] = [
    {
      name: `${prefix} zero-shot superclass macro AUROC`,
      value: round(r.zeroShot.macroAuroc),
      unit: ci(r.zeroShot.macroAurocCi),
      ...(zeroShotGoal ? { goal: { value: 0.8, better: 'higher' as const } } : {}),
    },
    ...Object.entries(r.zeroShot.perClass).map(([c, f]) => ({
      name: `${prefix} zero-shot AUROC ${c} (${f.positives} positive)`,
      value: round(f.auroc),
      unit: ci(f.aurocCi),
    })),
  ];
  if (r.linearProbe) {
    out.push(
      {
        name: `${prefix} linear probe AUROC (100 %)`,
        value: round(r.linearProbe.p100),
        unit: ci(r.linearProbe.p100Ci),
      },
      {
        name: `${prefix} linear probe AUROC (10 %)`,
        value: round(r.linearProbe.p10),
        unit: ci(r.linearProbe.p10Ci),
      },
    );
  }
  if (r.retrieval) {
    const q = r.retrieval.reportToEcg;
    out.push({
      name: `${prefix} report→ECG R@10 (all ${q.queries} queries)`,
      value: round(q.r10),
      unit: ci(q.r10Ci),
    });
    for (const [language, f] of Object.entries(r.retrieval.reportToEcgByLanguage)) {
      out.push({
        name: `${prefix} report→ECG R@10 (${f.queries} ${language} queries)`,
        value: round(f.r10),
        unit: ci(f.r10Ci),
      });
    }
    out.push({
      name: `${prefix} ECG→report R@10`,
      value: round(r.retrieval.ecgToReport.r10),
      unit: ci(r.retrieval.ecgToReport.r10Ci),
    });
  }
  const three = r.missingLeads['3'];
  if (three) {
    out.push({
      name: `${prefix} zero-shot AUROC with 3 leads off`,
      value: round(three.zeroShotMacroAuroc),
      unit: ci(three.zeroShotMacroAurocCi),
    });
    out.push({
      name: `${prefix} relative zero-shot AUROC drop with 3 leads off`,
      value: round((r.zeroShot.macroAuroc - three.zeroShotMacroAuroc) / r.zeroShot.macroAuroc),
      unit: '(fraction)',
      ...(zeroShotGoal ? { goal: { value: 0.03, better: 'lower' as const } } : {}),
    });
  }
  return out;
}

/** A trained variant of the comparison. */
interface Variant {
  readonly name: string;
  readonly dataDirs: readonly string[];
  readonly ablate?: Ablation;
  readonly selfSupervisedSteps?: number;
}

const TRAIN_FOLDS = [1, 2, 3, 4, 5, 6, 7];

/**
 * The real recipe on all the shared real data, beside the previous recipe (ptbxl-500 only, no
 * self-supervised stage), the ablation without the self-supervised stage, random weights and the supervised
 * baseline. Every trained variant learns from folds 1–6 and is early-stopped on fold 7; all are scored on
 * the fold-8 ECGs of ptbxl-500 and ptbxl-extra, which no training step and no stopping rule sees (the linear
 * probes and the supervised baseline fit folds 1–7). Every figure carries a 95 % bootstrap interval over the
 * fold-8 records (1,000 draws, seeded, paired across variants). `HEARTLINE_BENCH_VARIANTS=new,no-ssl,previous`
 * picks variants; `HEARTLINE_BENCH_KEEP=DIR` keeps the releases.
 */
export const modelRealBenchmark: Benchmark = {
  name: 'model-real',
  description:
    'trains the real recipe on all shared real data (folds 1–6, stopped on 7) beside the previous recipe, the no-SSL ablation, random weights and supervised; scores fold 8 with 95 % CIs',
  async run(progress) {
    const ptbxl = sharedDataDir('ptbxl-500');
    if (!ptbxl) {
      progress(missingDataMessage('ptbxl-500'));
      return [];
    }
    const optional = ['ptbxl-extra', 'ptbxl-unlabeled', 'ptbxl-reports-form'].flatMap((name) => {
      const dir = sharedDataDir(name);
      if (!dir) progress(`${missingDataMessage(name)}: the new recipe runs without it`);
      return dir ? [dir] : [];
    });
    const reports = sharedDataDir('ptbxl-reports');
    const pairedReports = reports ? [join(reports, 'ptbxl_database.csv')] : [];
    const seed = Number(process.env['HEARTLINE_BENCH_SEED'] ?? 1);
    const chosen = (process.env['HEARTLINE_BENCH_VARIANTS'] ?? 'new,no-ssl,previous').split(',');
    const keep = process.env['HEARTLINE_BENCH_KEEP'];
    const root = keep ?? (await mkdtemp(join(tmpdir(), 'heartline-bench-real-')));
    await mkdir(root, { recursive: true });
    await selectBackend(undefined, { log: () => {} });

    const labelled = [ptbxl, ...optional.filter((d) => d.endsWith('ptbxl-extra'))];
    const read = async (folds: number[]) =>
      concatExamples(
        await Promise.all(labelled.map(async (d) => (await examplesFromFolder(d, { folds })).set)),
      );
    const test = await read([8]);
    const probeTrain = await read(TRAIN_FOLDS);
    const classes = CLASS_SETS.superclass.filter((c) => test.labels.some((l) => l.includes(c)));
    progress(
      `test: ${test.size} fold-8 ECGs of ${labelled.length} folders; probes fit ${probeTrain.size} of folds 1–7`,
    );
    const bootstrap = { draws: 1000, seed: 'model-real' };

    const variants: Variant[] = [
      { name: 'new', dataDirs: [ptbxl, ...optional] },
      { name: 'no-ssl', dataDirs: [ptbxl, ...optional], ablate: 'ssl' },
      { name: 'previous', dataDirs: [ptbxl], selfSupervisedSteps: 0 },
    ];
    const figs: BenchFigure[] = [];
    let newConfig: CgDmerConfig | undefined;
    let tokenizer: Parameters<typeof tfEncoders>[1] | undefined;
    let newProbe: number | undefined;
    for (const v of variants.filter((x) => chosen.includes(x.name))) {
      const out = join(root, v.name);
      const started = performance.now();
      progress(`variant ${v.name}: training on ${v.dataDirs.length} folder(s)`);
      await trainRelease({
        out,
        seed,
        preset: 'real',
        dataDirs: v.dataDirs,
        pairedReports,
        validationFolds: [7],
        ...(v.ablate ? { ablate: v.ablate } : {}),
        ...(v.selfSupervisedSteps !== undefined ? { selfSupervisedSteps: v.selfSupervisedSteps } : {}),
        log: (line) => progress(`${v.name}: ${line}`),
      });
      const seconds = (performance.now() - started) / 1000;
      const release = await loadRelease(out);
      const report = evaluate(tfEncoders(release.model, release.tokenizer), test, {
        classes,
        prompts: CLASS_PROMPTS,
        probeTrain,
        bootstrap,
      });
      figs.push({ name: `${v.name}: train wall time`, value: Math.round(seconds), unit: 's' });
      figs.push(...figures(`${v.name} fold 8`, report, v.name === 'new'));
      if (v.name === 'new') {
        newConfig = release.manifest.config as CgDmerConfig;
        tokenizer = release.tokenizer;
        newProbe = report.linearProbe?.p100;
        const cinc = sharedDataDir('cinc2021-sample');
        if (cinc) {
          const challenge: ExampleSet = (await examplesFromChallengeFolder(cinc)).set;
          const cincClasses = [...CLASS_SETS.superclass, ...CLASS_SETS.rhythm].filter((c) =>
            challenge.labels.some((l) => l.includes(c)),
          );
          const r = evaluate(tfEncoders(release.model, release.tokenizer), challenge, {
            classes: cincClasses,
            prompts: CLASS_PROMPTS,
            missingLeads: [],
            bootstrap,
          });
          figs.push({
            name: `new: cinc2021-sample zero-shot macro AUROC (${challenge.size} records)`,
            value: round(r.zeroShot.macroAuroc),
            unit: ci(r.zeroShot.macroAurocCi),
          });
        }
      }
      release.model.dispose();
    }
    if (newConfig && tokenizer) {
      progress('baseline: random weights + linear probe');
      figs.push(
        ...figures(
          'random weights fold 8',
          randomBaseline(newConfig, tokenizer, test, probeTrain, classes),
          false,
        ),
      );
      progress(
        'baseline: supervised (same encoder, BCE on the fold 1–7 superclass labels, stopped on fold 7)',
      );
      const { fit, validation } = holdOutLastFold(probeTrain);
      const supervised = supervisedBaselineReport({
        config: newConfig,
        classes,
        train: fit,
        ...(validation ? { validation } : {}),
        test,
        bootstrap,
        onEpoch: (e) => progress(`supervised epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(3)}`),
      });
      figs.push(
        {
          name: 'supervised baseline fold 8 macro AUROC',
          value: round(supervised.macroAuroc),
          unit: `${ci(supervised.macroAurocCi)} (${supervised.steps} steps, ${supervised.stoppedBy})`,
        },
        ...Object.entries(supervised.perClass).map(([c, f]) => ({
          name: `supervised baseline fold 8 AUROC ${c}`,
          value: round(f.auroc),
          unit: ci(f.aurocCi),
        })),
        {
          name: 'new fold 8 linear probe AUROC (100 %) minus supervised baseline',
          value: round((newProbe ?? Number.NaN) - supervised.macroAuroc),
          unit: '',
          goal: { value: 0, better: 'higher' },
        },
      );
    }
    if (!keep) await rm(root, { recursive: true, force: true });
    return figs;
  },
};
