/**
 * Test fixtures shared by the ONNX parity tests and the benchmark: a TF.js model with every weight
 * perturbed away from its initial value (so norms, biases and embeddings all matter), real and synthetic
 * preprocessed windows with some leads masked, and the TF.js reference output.
 */

import { createPreprocessor } from '@heartline/ecg/signal';
import { generateEcg } from '@heartline/ecg/synth';
import { type CgDmerConfig, CgDmerModel, resolveConfig } from '@heartline/model/nn';
import { openPtbxlFolder } from '@heartline/node-io';
import { selectBackend } from '@heartline/trainer';
import * as tf from '@tensorflow/tfjs-core';

/** A batch of model windows. */
export interface WindowBatch {
  readonly windows: Float32Array;
  readonly leadMask: Uint8Array;
  readonly batch: number;
}

/** Builds the demo-sized model on TF.js's wasm backend with seeded, perturbed weights. */
export async function perturbedModel(config: CgDmerConfig = resolveConfig()): Promise<CgDmerModel> {
  await selectBackend('wasm');
  const model = CgDmerModel.create(config, 'onnx-parity');
  const weights = model.getWeights();
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  for (const w of Object.values(weights)) {
    for (let i = 0; i < w.values.length; i++) w.values[i] = (w.values[i] as number) + 0.2 * next();
  }
  model.setWeights(weights);
  return model;
}

/** h_ecg from TF.js for a batch (read outside tidy). */
export function tfReference(model: CgDmerModel, b: WindowBatch): Float32Array {
  const c = model.config;
  const h = tf.tidy(() => {
    const x = tf.tensor3d(b.windows, [b.batch, c.leads, c.windowSamples]);
    const m = tf.tensor2d(Float32Array.from(b.leadMask), [b.batch, c.leads]);
    return model.encodeEcg(x, m).hEcg;
  });
  const out = h.dataSync() as Float32Array;
  h.dispose();
  return out.slice();
}

/** Masks extra leads in window i (window 0 none, then 1, 3, 6 leads…) on top of the preprocessing mask. */
function maskSome(leadMask: Uint8Array, window: number): void {
  const counts = [0, 1, 3, 6, 11];
  const k = counts[window % counts.length] as number;
  for (let j = 0; j < k; j++) leadMask[window * 12 + ((j * 5 + window) % 12)] = 0;
}

function collect(parts: { windows: Float32Array; leadMask: Uint8Array }[], n: number): WindowBatch {
  const windows = new Float32Array(n * 12_000);
  const leadMask = new Uint8Array(n * 12);
  for (let i = 0; i < n; i++) {
    const p = parts[i % parts.length] as { windows: Float32Array; leadMask: Uint8Array };
    windows.set(p.windows.subarray(0, 12_000), i * 12_000);
    leadMask.set(p.leadMask, i * 12);
    maskSome(leadMask, i);
  }
  // Masked leads' rows are zeros, as preprocessing leaves them.
  for (let i = 0; i < n * 12; i++) if (leadMask[i] === 0) windows.fill(0, i * 1000, (i + 1) * 1000);
  return { windows, leadMask, batch: n };
}

/** `n` preprocessed windows from synthetic ECGs (seeded), with 0, 1, 3, 6 or 11 extra leads masked. */
export function syntheticWindows(n: number): WindowBatch {
  const pre = createPreprocessor();
  const parts = [...Array(n).keys()].map((i) => {
    const r = pre(generateEcg({ seed: `onnx-${i}`, sampleRate: 500 }).signal);
    return { windows: r.windows, leadMask: r.leadMask.slice() };
  });
  return collect(parts, n);
}

/** `n` preprocessed windows from a PTB-XL-layout folder (first window of each record). */
export async function realWindows(dir: string, n: number): Promise<WindowBatch> {
  const pre = createPreprocessor();
  const folder = await openPtbxlFolder(dir, { rate: 500, limit: n * 2 });
  const parts: { windows: Float32Array; leadMask: Uint8Array }[] = [];
  for await (const record of folder.records()) {
    if (!record.signal) continue;
    const r = pre(record.signal);
    if (r.windowCount > 0) parts.push({ windows: r.windows, leadMask: r.leadMask.slice() });
    if (parts.length === n) break;
  }
  return collect(parts, parts.length);
}

/** Largest |a − b| over all values. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Cosine between rows `i` of a and b ([n × d]). */
export function rowCosine(a: Float32Array, b: Float32Array, d: number, i: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = i * d; k < (i + 1) * d; k++) {
    dot += (a[k] as number) * (b[k] as number);
    na += (a[k] as number) ** 2;
    nb += (b[k] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}
