import { analyseReport } from '@heartline/ecg/data';
import type { CgDmerModel } from '@heartline/model/nn';
import type { WordPieceTokenizer } from '@heartline/model/text';
import * as tf from '@tensorflow/tfjs-core';
import type { AlignedEncoders } from './aligned-encoders.js';

const CHUNK = 64;

/**
 * The text a model sees for a report, prompt or query: the normalised report text (edit notes,
 * "unconfirmed report" flags and program versions removed), as training tokenises it (`reportKeys`).
 */
export function modelText(text: string): string {
  return analyseReport(text).text || text;
}

/**
 * {@link AlignedEncoders} over a TF.js CG-DMER model and its tokenizer, batched in chunks of 64. Texts go
 * through {@link modelText} first, so evaluation, cloud queries and training encode the same text.
 */
export function tfEncoders(model: CgDmerModel, tokenizer: WordPieceTokenizer): AlignedEncoders {
  const c = model.config;
  const windowSize = c.leads * c.windowSamples;
  return {
    ecgDim: c.ecgDim,
    sharedDim: c.sharedDim,
    encodeEcg(windows, leadMasks, n) {
      const h = new Float32Array(n * c.ecgDim);
      const z = new Float32Array(n * c.sharedDim);
      for (let start = 0; start < n; start += CHUNK) {
        const b = Math.min(CHUNK, n - start);
        const [hT, zT] = tf.tidy(() => {
          const x = tf.tensor3d(windows.subarray(start * windowSize, (start + b) * windowSize), [
            b,
            c.leads,
            c.windowSamples,
          ]);
          const mask = tf.tensor2d(
            leadMasks.subarray(start * c.leads, (start + b) * c.leads),
            [b, c.leads],
            'float32',
          );
          const hEcg = model.encodeEcg(x, mask).hEcg;
          return [hEcg, model.sharedFromEcg(hEcg)];
        });
        // Read outside tidy: tidy walks whatever it returns.
        h.set(hT.dataSync(), start * c.ecgDim);
        z.set(zT.dataSync(), start * c.sharedDim);
        hT.dispose();
        zT.dispose();
      }
      return { h, z };
    },
    encodeText(texts) {
      const z = new Float32Array(texts.length * c.sharedDim);
      for (let start = 0; start < texts.length; start += CHUNK) {
        const chunk = texts.slice(start, start + CHUNK).map(modelText);
        const encoded = tokenizer.encodeBatch(chunk, c.maxTokens);
        const zT = tf.tidy(() => {
          const mask = tf.tensor2d(encoded.mask, [chunk.length, c.maxTokens], 'float32');
          return model.sharedFromText(model.encodeText(encoded.ids, mask));
        });
        z.set(zT.dataSync(), start * c.sharedDim);
        zT.dispose();
      }
      return z;
    },
  };
}
