import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@heartline/model/errors';
import {
  type Ablation,
  alignPairsFromExamples,
  alignRelease,
  concatExamples,
  type ExampleSet,
  examplesFromPtbxlFolder,
  RECIPES,
  type RecipeName,
  syntheticExamples,
  trainRelease,
} from '@heartline/trainer';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { integerOption } from '../option-values.js';
import { isInteractive, stageProgress } from '../progress-bar.js';
import { parseOptions } from '../run-cli.js';

const ABLATIONS: readonly Ablation[] = ['stmm', 'disentangle', 'ssl'];

const usage = `usage: heartline train --out DIR [--data DIR]... [--paired FILE]... [--preset demo|real|tiny]
                       [--config FILE] [--mode pretrain] [--ablate stmm|disentangle|ssl] [--val-folds 8]
                       [--steps N] [--ssl-steps N] [--synthetic N] [--seed S] [--resume] [--cache DIR]
       heartline train --mode align --parent DIR --out DIR [--data DIR]... [--synthetic N]
                       [--preset demo|real|tiny] [--steps N] [--seed S]

Trains a CG-DMER release and writes it to DIR (weights, tokenizer, config, preprocessing, metrics,
training curves). Data (--data DIR, any mix, each folder's layout found and reported): PTB-XL-layout
folders with waveforms (ECG–report pairs, read from their 100 Hz records; folds 9 and 10 are never read),
PTB-XL-layout folders without waveforms (their reports feed the tokenizer and are paired with synthetic
ECGs, as --paired ptbxl_database.csv does), PhysioNet Challenge folders and plain WFDB folders (a RECORDS
file, or every .hea) whose ECGs have no report; plus the recipe's in-memory synthetic ECGs. Signals in mV
and in normalised units (NU) go through the same preprocessing to the same scale. A recipe with a
self-supervised stage (real) first trains ST-MM alone on every real ECG of the training folds, with or
without a report, masking every lead and time span in turn, then the contrastive–generative stage on pairs.
Without --data the demo preset trains on synthetic data alone.

--mode align trains only the text and shared encoders of the release in --parent against ECG-specific
embeddings h_ecg (the ECG encoder stays frozen and is copied unchanged, so devices keep their model). The
cloud aligns on stored device embeddings; here h_ecg is computed with the parent's ECG encoder from the
records of --data folders (folds 1–8) and --synthetic N generated ECGs. The release records its parent.

presets:
${Object.entries(RECIPES)
  .map(
    ([name, r]) =>
      `  ${name.padEnd(5)} model ${r.model}, ${r.synthetic} synthetic, ${r.steps} steps of batch ${r.batchSize}`,
  )
  .join('\n')}

options:
  --config FILE      JSON object of model-config overrides (sizes, λ weights; validated)
  --ablate LOSS      switch off one loss (stmm or disentangle), or the self-supervised stage (ssl),
                     to measure its effect
  --ssl-steps N      steps of the self-supervised stage (default: the preset's; 0 = none)
  --val-folds LIST   validation folds, comma-separated (default 8)
  --resume           continue from the checkpoint left in DIR by an interrupted run
  --cache DIR        train from a shard cache in DIR instead of memory: the training folds' records of
                     the --data folders with waveforms are preprocessed once (in worker threads) into
                     int16 shards, one cache per folder, resumed after an interruption and reused as they
                     are by later runs; training then holds a few shards at a time, so memory does not
                     grow with the archive. Validation folds, report texts, the preset's synthetic ECGs
                     and a sample of at most 2,000 cached pairs for the linear probe stay in memory
  --parent DIR       align mode: the release whose ECG encoder is frozen (its preset is the default)`;

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code) throw cause;
    throw new InvalidArgumentError('--config', path, 'must be a JSON object of model-config fields');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('--config', path, 'must be a JSON object of model-config fields');
  }
  return parsed as Record<string, unknown>;
}

/** `--mode align`: h_ecg from the parent's ECG encoder over the given records, then alignRelease. */
async function runAlign(
  o: {
    out: string;
    parent: string;
    dataDirs: readonly string[];
    synthetic: number;
    preset: RecipeName | undefined;
    steps: number | undefined;
    seed: number;
  },
  io: CommandIo,
  interactive: boolean,
): Promise<void> {
  const log = (line: string) => io.stderr(`train: ${line}\n`);
  const onProgress = stageProgress(io.stderr, interactive);
  const sets: ExampleSet[] = [];
  const sources: Record<string, number> = {};
  for (const dir of o.dataDirs) {
    const { set } = await examplesFromPtbxlFolder(dir, {
      folds: [1, 2, 3, 4, 5, 6, 7, 8],
      onProgress: (d, t) => onProgress(`reading ${dir}`, d, t),
    });
    log(`data: ${set.size} records from ${dir}`);
    sources[dir] = set.size;
    sets.push(set);
  }
  if (o.synthetic > 0) {
    sets.push(syntheticExamples({ n: o.synthetic, seed: o.seed }));
    sources['synthetic'] = o.synthetic;
  }
  if (sets.length === 0) throw new UsageError('--mode align needs records: give --data DIR or --synthetic N');
  const pairs = await alignPairsFromExamples(o.parent, concatExamples(sets));
  log(`data: ${pairs.length} (h_ecg, report) pairs from the parent's ECG encoder`);
  const { manifest, evaluation, parentEvaluation } = await alignRelease({
    out: o.out,
    parent: o.parent,
    pairs,
    sources,
    seed: o.seed,
    ...(o.preset ? { preset: o.preset } : {}),
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
    log,
    onProgress,
  });
  const r = evaluation.retrieval.reportToEcg;
  io.stdout(
    `release ${manifest.id} (align, parent ${manifest.parent}) written to ${o.out}\n` +
      `held out (${evaluation.n} pairs): report→ECG R@1 ${r.r1.toFixed(3)}, R@10 ${r.r10.toFixed(3)} ` +
      `(parent R@10 ${parentEvaluation.retrieval.reportToEcg.r10.toFixed(3)})\n`,
  );
}

/** `heartline train`: trains a release. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train a CG-DMER release (TF.js) on PTB-XL-layout, paired and synthetic data',
  usage,
  async run(argv, io, env) {
    const { values, positionals } = parseOptions(argv, {
      out: { type: 'string' },
      data: { type: 'string', multiple: true },
      paired: { type: 'string', multiple: true },
      preset: { type: 'string' },
      parent: { type: 'string' },
      config: { type: 'string' },
      mode: { type: 'string', default: 'pretrain' },
      ablate: { type: 'string' },
      'val-folds': { type: 'string', default: '8' },
      steps: { type: 'string' },
      'ssl-steps': { type: 'string' },
      synthetic: { type: 'string' },
      seed: { type: 'string', default: '1' },
      resume: { type: 'boolean', default: false },
      cache: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.out) throw new UsageError('--out DIR is required');
    if (values.preset !== undefined && !(values.preset in RECIPES))
      throw new UsageError(`--preset must be one of ${Object.keys(RECIPES).join(', ')}`);
    if (values.mode !== 'pretrain' && values.mode !== 'align')
      throw new UsageError(`--mode must be pretrain or align, got '${values.mode}'`);
    if (values.mode === 'align') {
      if (!values.parent) throw new UsageError('--mode align needs --parent DIR (the release to align)');
      for (const flag of ['paired', 'config', 'ablate', 'resume', 'ssl-steps', 'cache'] as const) {
        if (values[flag] !== undefined && values[flag] !== false)
          throw new UsageError(`--${flag} is for --mode pretrain only`);
      }
      await runAlign(
        {
          out: values.out,
          parent: values.parent,
          dataDirs: values.data ?? [],
          synthetic: integerOption('--synthetic', values.synthetic, 0) ?? 0,
          preset: values.preset as RecipeName | undefined,
          steps: integerOption('--steps', values.steps, 1),
          seed: integerOption('--seed', values.seed, 0) ?? 1,
        },
        io,
        isInteractive(env.ci),
      );
      return 0;
    }
    if (values.parent !== undefined) throw new UsageError('--parent is for --mode align only');
    if (values.ablate !== undefined && !ABLATIONS.includes(values.ablate as Ablation)) {
      throw new UsageError(`--ablate must be one of ${ABLATIONS.join(', ')}, got '${values.ablate}'`);
    }
    const selfSupervisedSteps = integerOption('--ssl-steps', values['ssl-steps'], 0);
    const validationFolds = values['val-folds'].split(',').map((f) => Number(f.trim()));
    const steps = integerOption('--steps', values.steps, 0);
    const synthetic = integerOption('--synthetic', values.synthetic, 0);
    const seed = integerOption('--seed', values.seed, 0) ?? 1;
    const config = values.config ? await readConfigFile(values.config) : undefined;
    const { manifest, evaluation } = await trainRelease({
      out: values.out,
      preset: (values.preset ?? 'demo') as RecipeName,
      dataDirs: values.data ?? [],
      pairedReports: values.paired ?? [],
      ...(config ? { config } : {}),
      ...(values.ablate ? { ablate: values.ablate as Ablation } : {}),
      ...(selfSupervisedSteps !== undefined ? { selfSupervisedSteps } : {}),
      validationFolds,
      seed,
      resume: values.resume,
      ...(values.cache !== undefined ? { cacheDir: values.cache } : {}),
      ...(steps !== undefined ? { steps } : {}),
      ...(synthetic !== undefined ? { synthetic } : {}),
      log: (line) => io.stderr(`train: ${line}\n`),
      onProgress: stageProgress(io.stderr, isInteractive(env.ci)),
    });
    const z = evaluation.zeroShot;
    const r = evaluation.retrieval;
    io.stdout(
      `release ${manifest.id} written to ${values.out}\n` +
        `validation (${evaluation.n} examples): zero-shot macro AUROC ${z.macroAuroc.toFixed(3)}, macro F1 ${z.macroF1.toFixed(3)}` +
        (evaluation.linearProbe ? `, linear probe AUROC ${evaluation.linearProbe.p100.toFixed(3)}` : '') +
        (r ? `, report→ECG R@10 ${r.reportToEcg.r10.toFixed(3)}` : '') +
        '\n',
    );
    return 0;
  },
};
