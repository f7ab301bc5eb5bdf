import type { CgDmerModel } from '@heartline/model/nn';
import type { WordPieceTokenizer } from '@heartline/model/text';
import { CLASS_PROMPTS } from '@heartline/model/text';
import * as tf from '@tensorflow/tfjs-core';
import type { AlignPairSet } from '../data/align-pairs.js';
import type { LinearProbeReport } from './evaluate.js';
import { type RetrievalReport, retrieval } from './retrieval.js';
import { tfEncoders } from './tf-encoders.js';
import { classEmbeddings, labelMatrix, type ZeroShotReport, zeroShot } from './zero-shot.js';

const CHUNK = 256;

/**
 * How well a release aligns stored embeddings with their reports: the fields of `EvaluationReport` that
 * need no raw ECG (retrieval always; zero-shot when the pairs carry class codes that have prompts).
 * There is no linear probe and no missing-lead figure: both need windows.
 */
export interface AlignEvaluation {
  readonly n: number;
  readonly classes: readonly string[];
  readonly zeroShot: ZeroShotReport | null;
  readonly linearProbe: LinearProbeReport | null;
  readonly retrieval: RetrievalReport;
  readonly missingLeads: Readonly<Record<string, never>>;
}

/** Shared vectors of `n × ecgDim` stored embeddings, read outside tidy (see DESIGN.md). */
export function projectEmbeddings(model: CgDmerModel, h: Float32Array, n: number): Float32Array {
  const { ecgDim, sharedDim } = model.config;
  const z = new Float32Array(n * sharedDim);
  for (let start = 0; start < n; start += CHUNK) {
    const b = Math.min(CHUNK, n - start);
    const zT = tf.tidy(() =>
      model.sharedFromEcg(tf.tensor2d(h.subarray(start * ecgDim, (start + b) * ecgDim), [b, ecgDim])),
    );
    z.set(zT.dataSync(), start * sharedDim);
    zT.dispose();
  }
  return z;
}

/** Retrieval (and zero-shot where codes allow) of a model over held-out align pairs. */
export function evaluateAlignment(
  model: CgDmerModel,
  tokenizer: WordPieceTokenizer,
  set: AlignPairSet,
): AlignEvaluation {
  const encoders = tfEncoders(model, tokenizer);
  const d = encoders.sharedDim;
  const zEcg = projectEmbeddings(model, set.h, set.size);
  const zText = encoders.encodeText(set.reportKeys);
  const classes = Object.keys(CLASS_PROMPTS).filter((code) => set.labels.some((l) => l.includes(code)));
  const zero =
    classes.length > 0
      ? zeroShot(
          zEcg,
          classEmbeddings(encoders, classes, CLASS_PROMPTS),
          d,
          labelMatrix(set.labels, classes),
          classes,
        )
      : null;
  return {
    n: set.size,
    classes,
    zeroShot: zero,
    linearProbe: null,
    retrieval: retrieval(zEcg, zText, d, set.reportKeys, set.languages),
    missingLeads: {},
  };
}
