/**
 * Zero-shot diagnosis: each class is the mean of its prompt phrases' text embeddings (CLASS_PROMPTS,
 * English and German), re-normalised; a case's class probabilities are a softmax over cosine
 * similarities divided by a temperature.
 */
import { CLASS_SETS, type ClassSetName, promptsFor } from '@heartline/model/text';
import type { ClassScore } from '../http/routes/queries.js';
import type { ReleaseModel } from '../releases/release-models.js';

/** CLIP's initial temperature, which the releases start from; probabilities are a display aid. */
export const ZERO_SHOT_TEMPERATURE = 0.07;

/** One class's score for a case. */
export type { ClassScore };

const cache = new WeakMap<ReleaseModel, Map<ClassSetName, Float32Array>>();

/** The unit-length class embeddings of a set (`codes.length × sharedDim`), cached per release model. */
export function classEmbeddings(model: ReleaseModel, set: ClassSetName): Float32Array {
  let bySet = cache.get(model);
  if (!bySet) {
    bySet = new Map();
    cache.set(model, bySet);
  }
  const cached = bySet.get(set);
  if (cached) return cached;
  const d = model.sharedDim;
  const codes = CLASS_SETS[set];
  const out = new Float32Array(codes.length * d);
  codes.forEach((code, c) => {
    const prompts = promptsFor(code);
    const z = model.encodeText(prompts);
    const row = out.subarray(c * d, (c + 1) * d);
    for (let p = 0; p < prompts.length; p++) for (let j = 0; j < d; j++) row[j]! += z[p * d + j]!;
    let norm = 0;
    for (let j = 0; j < d; j++) norm += row[j]! * row[j]!;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) row[j]! /= norm;
  });
  bySet.set(set, out);
  return out;
}

/** Class scores of one shared vector, best first. */
export function zeroShot(
  model: ReleaseModel,
  z: Float32Array,
  set: ClassSetName,
  temperature = ZERO_SHOT_TEMPERATURE,
): ClassScore[] {
  const d = model.sharedDim;
  const classes = classEmbeddings(model, set);
  const codes = CLASS_SETS[set];
  let zNorm = 0;
  for (let j = 0; j < d; j++) zNorm += z[j]! * z[j]!;
  zNorm = Math.sqrt(zNorm) || 1;
  const sims = codes.map((_, c) => {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += classes[c * d + j]! * z[j]!;
    return dot / zNorm;
  });
  const max = Math.max(...sims);
  const exps = sims.map((s) => Math.exp((s - max) / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  return codes
    .map((code, c) => ({ code, similarity: sims[c]!, probability: exps[c]! / sum }))
    .sort((a, b) => b.probability - a.probability);
}
