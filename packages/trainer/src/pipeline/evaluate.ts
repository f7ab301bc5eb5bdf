/**
 * The evaluation step of a pretraining release, on the validation folds. With real data the release is
 * judged on the real validation records only (synthetic examples help training but would flatter the
 * figures); without, on the synthetic ones.
 */
import type { CgDmerModel } from '@heartline/model/nn';
import { CLASS_PROMPTS, CLASS_SETS, type WordPieceTokenizer } from '@heartline/model/text';
import { type ExampleSet, filterExamples } from '../data/example-set.js';
import { type EvaluationReport, evaluate } from '../eval/evaluate.js';
import { tfEncoders } from '../eval/tf-encoders.js';
import type { TrainingData } from './data.js';
import type { RunContext } from './run-context.js';

/** The classes a release is evaluated on: PTB-XL's superclasses with real data, the generator's codes without. */
function evaluationClasses(validation: ExampleSet): readonly string[] {
  const real = validation.sources.some((s) => s !== 'synthetic');
  const set = real ? CLASS_SETS.superclass : CLASS_SETS.synthetic.filter((c) => c !== 'SR');
  return set.filter((c) => validation.labels.some((l) => l.includes(c)));
}

/** Zero-shot, linear probe, retrieval and missing-lead figures of `model` on the validation folds. */
export function evaluatePretrained(
  model: CgDmerModel,
  tokenizer: WordPieceTokenizer,
  data: Pick<TrainingData, 'validation' | 'folderTrain'>,
  run: RunContext,
): EvaluationReport {
  const realOnly = (set: ExampleSet) => filterExamples(set, (i) => set.sources[i] !== 'synthetic');
  const hasReal = data.validation.sources.some((s) => s !== 'synthetic');
  const evalSet = hasReal ? realOnly(data.validation) : data.validation;
  return evaluate(tfEncoders(model, tokenizer), evalSet, {
    classes: evaluationClasses(evalSet),
    prompts: CLASS_PROMPTS,
    probeTrain: hasReal ? realOnly(data.folderTrain) : data.folderTrain,
    seed: run.seed,
    onProgress: (stage) => run.log(`evaluating: ${stage}`),
  });
}
