import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@heartline/model/errors';
import { RECIPES, type RecipeName, trainRelease } from '@heartline/trainer';
import { type Command, UsageError } from '../command.js';
import { integerOption } from '../option-values.js';
import { stageProgress } from '../progress-bar.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline train --out DIR [--data DIR]... [--paired FILE]... [--preset demo|real|tiny]
                       [--config FILE] [--mode pretrain] [--ablate stmm|disentangle] [--val-folds 8]
                       [--steps N] [--synthetic N] [--seed S] [--resume]

Trains a CG-DMER release and writes it to DIR (weights, tokenizer, config, preprocessing, metrics,
training curves). Data: PTB-XL-layout folders (--data, read from their 100 Hz records; folds 9 and 10 are
never read), real report rows paired with synthetic ECGs (--paired ptbxl_database.csv), and the recipe's
in-memory synthetic ECGs. Without --data the demo preset trains on synthetic data alone.

presets:
${Object.entries(RECIPES)
  .map(
    ([name, r]) =>
      `  ${name.padEnd(5)} model ${r.model}, ${r.synthetic} synthetic, ${r.steps} steps of batch ${r.batchSize}`,
  )
  .join('\n')}

options:
  --config FILE      JSON object of model-config overrides (sizes, λ weights; validated)
  --ablate LOSS      switch off one loss (stmm or disentangle) to measure its effect
  --val-folds LIST   validation folds, comma-separated (default 8)
  --resume           continue from the checkpoint left in DIR by an interrupted run`;

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

/** `heartline train`: trains a release. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train a CG-DMER release (TF.js) on PTB-XL-layout, paired and synthetic data',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      out: { type: 'string' },
      data: { type: 'string', multiple: true },
      paired: { type: 'string', multiple: true },
      preset: { type: 'string', default: 'demo' },
      config: { type: 'string' },
      mode: { type: 'string', default: 'pretrain' },
      ablate: { type: 'string' },
      'val-folds': { type: 'string', default: '8' },
      steps: { type: 'string' },
      synthetic: { type: 'string' },
      seed: { type: 'string', default: '1' },
      resume: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.out) throw new UsageError('--out DIR is required');
    if (!(values.preset in RECIPES))
      throw new UsageError(`--preset must be one of ${Object.keys(RECIPES).join(', ')}`);
    if (values.mode !== 'pretrain') {
      throw new UsageError(
        '--mode align trains from stored device embeddings and runs in the cloud; here use pretrain',
      );
    }
    if (values.ablate !== undefined && values.ablate !== 'stmm' && values.ablate !== 'disentangle') {
      throw new UsageError(`--ablate must be stmm or disentangle, got '${values.ablate}'`);
    }
    const validationFolds = values['val-folds'].split(',').map((f) => Number(f.trim()));
    const steps = integerOption('--steps', values.steps, 0);
    const synthetic = integerOption('--synthetic', values.synthetic, 0);
    const seed = integerOption('--seed', values.seed, 0) ?? 1;
    const config = values.config ? await readConfigFile(values.config) : undefined;
    const { manifest, evaluation } = await trainRelease({
      out: values.out,
      preset: values.preset as RecipeName,
      dataDirs: values.data ?? [],
      pairedReports: values.paired ?? [],
      ...(config ? { config } : {}),
      ...(values.ablate ? { ablate: values.ablate as 'stmm' | 'disentangle' } : {}),
      validationFolds,
      seed,
      resume: values.resume,
      ...(steps !== undefined ? { steps } : {}),
      ...(synthetic !== undefined ? { synthetic } : {}),
      log: (line) => io.stderr(`train: ${line}\n`),
      onProgress: stageProgress(io.stderr),
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
