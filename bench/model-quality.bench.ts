import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CgDmerConfig, CgDmerModel } from '@heartline/model/nn';
import { CLASS_PROMPTS } from '@heartline/model/text';
import {
  type EvaluationReport,
  type ExampleSet,
  evaluate,
  filterExamples,
  loadRelease,
  syntheticExamples,
  tfEncoders,
  trainRelease,
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
export function randomBaseline(
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
