import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CgDmerConfig, CgDmerModel } from '@heartline/model/nn';
import { CLASS_PROMPTS, CLASS_SETS } from '@heartline/model/text';
import { missingDataMessage, sharedDataDir } from '@heartline/node-io';
import {
  type EvaluationReport,
  type ExampleSet,
  evaluate,
  evaluateClassifier,
  examplesFromChallengeFolder,
  examplesFromPtbxlFolder,
  filterExamples,
  loadRelease,
  selectBackend,
  syntheticExamples,
  tfEncoders,
  trainRelease,
  trainSupervisedBaseline,
} from '@heartline/trainer';
import type { BenchFigure, Benchmark } from './benchmark.js';

const fmt = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? Number.NaN : Math.round(x * 1000) / 1000;

function figures(prefix: string, r: EvaluationReport): BenchFigure[] {
  const out: BenchFigure[] = [
    { name: `${prefix} zero-shot macro AUROC`, value: fmt(r.zeroShot.macroAuroc), unit: '' },
    { name: `${prefix} linear probe AUROC (100 %)`, value: fmt(r.linearProbe?.p100), unit: '' },
  ];
  if (r.retrieval) {
    out.push({ name: `${prefix} report→ECG R@10`, value: fmt(r.retrieval.reportToEcg.r10), unit: '' });
    for (const [language, f] of Object.entries(r.retrieval.reportToEcgByLanguage)) {
      out.push({ name: `${prefix} report→ECG R@10 (${language} queries)`, value: fmt(f.r10), unit: '' });
    }
  }
  return out;
}

/** Evaluates an untrained encoder of the same architecture (the random-weights + linear-probe baseline). */
function randomBaseline(
  config: CgDmerConfig,
  tokenizer: Parameters<typeof tfEncoders>[1],
  set: ExampleSet,
  probeTrain: ExampleSet,
  classes: readonly string[],
) {
  const model = CgDmerModel.create(config, 'random-baseline');
  const report = evaluate(tfEncoders(model, tokenizer), set, {
    classes,
    prompts: CLASS_PROMPTS,
    probeTrain,
    missingLeads: [],
  });
  model.dispose();
  return report;
}

/**
 * The supervised baseline of issue 9: the same ECG encoder (config and seeded random init of the release),
 * trained from scratch with a linear head and binary cross-entropy on the labels of `train`, early-stopped
 * on the loss of `test` (fold 8, the fold the real preset validates on too), scored by its own sigmoid
 * outputs on `test`. Figures: macro and per-class AUROC, and the linear probe's margin over it (the goal:
 * probe above supervised).
 */
function supervisedBaseline(
  config: CgDmerConfig,
  train: ExampleSet,
  test: ExampleSet,
  classes: readonly string[],
  probeAuroc: number | undefined,
  progress: (message: string) => void,
): BenchFigure[] {
  const result = trainSupervisedBaseline({
    config,
    classes,
    train,
    validation: test,
    onEpoch: (e) =>
      progress(
        `supervised epoch ${e.epoch} (step ${e.step}): train loss ${e.trainLoss.toFixed(3)}, fold-8 loss ${e.validationLoss?.toFixed(3)}`,
      ),
  });
  const auroc = evaluateClassifier(result.classifier, test);
  result.classifier.dispose();
  progress(
    `supervised baseline: ${result.steps} steps (${result.stoppedBy}, best epoch ${result.bestEpoch}) in ${Math.round(result.seconds)} s`,
  );
  return [
    { name: 'supervised baseline fold 8 macro AUROC', value: fmt(auroc.macro), unit: '' },
    ...classes.map((c) => ({
      name: `supervised baseline fold 8 AUROC ${c}`,
      value: fmt(auroc.perClass[c]),
      unit: '',
    })),
    {
      name: 'supervised baseline training',
      value: Math.round(result.seconds),
      unit: `s (${result.steps} steps, ${result.stoppedBy})`,
    },
    {
      name: 'real fold 8 linear probe AUROC (100 %) minus supervised baseline',
      value: fmt((probeAuroc ?? Number.NaN) - auroc.macro),
      unit: '',
      goal: { value: 0, better: 'higher' },
    },
  ];
}

/** Demo preset on synthetic data: the figures issue 9 asks for, beside the random-weights baseline. */
export const modelDemoBenchmark: Benchmark = {
  name: 'model-demo',
  description: 'trains the demo preset on synthetic data and evaluates it on held-out synthetic folds',
  async run(progress) {
    const out = await mkdtemp(join(tmpdir(), 'heartline-bench-demo-'));
    try {
      const started = performance.now();
      const { evaluation } = await trainRelease({
        out,
        preset: 'demo',
        dataDirs: [],
        pairedReports: [],
        log: progress,
      });
      const seconds = (performance.now() - started) / 1000;
      const release = await loadRelease(out);
      const data = syntheticExamples({ n: RECIPE_SYNTHETIC, seed: 1 });
      const train = filterExamples(data, (i) => data.folds[i]! < 8);
      const test = filterExamples(data, (i) => data.folds[i]! === 8);
      const baseline = randomBaseline(
        release.manifest.config as CgDmerConfig,
        release.tokenizer,
        test,
        train,
        evaluation.classes,
      );
      release.model.dispose();
      const drop3 =
        evaluation.zeroShot.macroAuroc - (evaluation.missingLeads['3']?.zeroShotMacroAuroc ?? Number.NaN);
      return [
        {
          name: 'demo: train + evaluate wall time',
          value: Math.round(seconds),
          unit: 's',
          goal: { value: 180, better: 'lower' },
        },
        ...figures('demo', evaluation),
        {
          name: 'demo: zero-shot AUROC drop with 3 leads masked',
          value: fmt(drop3 / evaluation.zeroShot.macroAuroc),
          unit: '(fraction)',
          goal: { value: 0.03, better: 'lower' },
        },
        ...figures('random-weights baseline', baseline),
      ];
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
};

const RECIPE_SYNTHETIC = 1600;

/** Real preset on PTB-XL folds 1–7, evaluated on fold 8 and on the Challenge sample, beside baselines. */
export const modelRealBenchmark: Benchmark = {
  name: 'model-real',
  description:
    'trains the real preset on ptbxl-500 folds 1–7 (+ paired reports), evaluates on fold 8 and cinc2021-sample, with baselines',
  async run(progress) {
    const ptbxl = sharedDataDir('ptbxl-500');
    if (!ptbxl) {
      progress(missingDataMessage('ptbxl-500'));
      return [];
    }
    const reports = sharedDataDir('ptbxl-reports');
    const out =
      process.env['HEARTLINE_BENCH_RELEASE'] ?? (await mkdtemp(join(tmpdir(), 'heartline-bench-real-')));
    const ablate = process.env['HEARTLINE_BENCH_ABLATE'] as 'stmm' | 'disentangle' | undefined;
    const seed = Number(process.env['HEARTLINE_BENCH_SEED'] ?? 1);
    await selectBackend(undefined, { log: () => {} });
    const started = performance.now();
    await trainRelease({
      out,
      seed,
      preset: 'real',
      dataDirs: [ptbxl],
      pairedReports: reports ? [join(reports, 'ptbxl_database.csv')] : [],
      ...(ablate ? { ablate } : {}),
      log: progress,
    });
    const seconds = (performance.now() - started) / 1000;
    const release = await loadRelease(out);
    const config = release.manifest.config as CgDmerConfig;
    const test = (await examplesFromPtbxlFolder(ptbxl, { folds: [8] })).set;
    const train = (await examplesFromPtbxlFolder(ptbxl, { folds: [1, 2, 3, 4, 5, 6, 7] })).set;
    const classes = CLASS_SETS.superclass.filter((c) => test.labels.some((l) => l.includes(c)));
    const report = evaluate(tfEncoders(release.model, release.tokenizer), test, {
      classes,
      prompts: CLASS_PROMPTS,
      probeTrain: train,
    });
    const figs: BenchFigure[] = [
      {
        name: 'real: train + evaluate wall time',
        value: Math.round(seconds),
        unit: 's',
        goal: { value: 900, better: 'lower' },
      },
      // Judged on the real fold-8 records alone, the linear probe trained on folds 1–7.
      ...figures(`real${ablate ? ` (no ${ablate})` : ''} fold 8`, report),
    ];
    const cinc = sharedDataDir('cinc2021-sample');
    if (cinc) {
      const challenge = (await examplesFromChallengeFolder(cinc)).set;
      const cincClasses = [...CLASS_SETS.superclass, ...CLASS_SETS.rhythm].filter((c) =>
        challenge.labels.some((l) => l.includes(c)),
      );
      const r = evaluate(tfEncoders(release.model, release.tokenizer), challenge, {
        classes: cincClasses,
        prompts: CLASS_PROMPTS,
        missingLeads: [],
      });
      figs.push({
        name: 'real: cinc2021-sample zero-shot macro AUROC',
        value: fmt(r.zeroShot.macroAuroc),
        unit: `(${challenge.size} records)`,
      });
    }
    if (!ablate) {
      progress('baseline: random weights + linear probe');
      figs.push(
        ...figures(
          'random-weights baseline',
          randomBaseline(config, release.tokenizer, test, train, classes),
        ),
      );
      // About a minute on 2 cores (it early-stops near step 70 of 300); HEARTLINE_BENCH_SUPERVISED=0 leaves it out.
      if (process.env['HEARTLINE_BENCH_SUPERVISED'] !== '0') {
        progress('baseline: supervised (same encoder, BCE on the fold 1–7 superclass labels)');
        figs.push(...supervisedBaseline(config, train, test, classes, report.linearProbe?.p100, progress));
      }
    }
    release.model.dispose();
    if (!process.env['HEARTLINE_BENCH_RELEASE']) await rm(out, { recursive: true, force: true });
    return figs;
  },
};
