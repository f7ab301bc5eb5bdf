/**
 * Writes a release's ECG encoder as ONNX files beside its weights (float32, and the int8 / float16
 * variants on request), each with a device manifest whose self-test expectation comes from the TF.js
 * model of the same release. The TF.js backend must already be selected.
 */
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgDmerConfig } from '@heartline/model/nn';
import {
  createSelfTestInput,
  type DeviceManifest,
  encodeFloat32Base64,
  exportEcgEncoderOnnx,
  signDeviceManifest,
  type UnsignedDeviceManifest,
  type WeightPrecision,
} from '@heartline/model/onnx';
import * as tf from '@tensorflow/tfjs-core';
import { loadRelease } from './load-release.js';
import { readReleaseDir } from './release/release-dir.js';

/** File names of the exported variants inside the release directory. */
export const ONNX_FILES: Readonly<Record<WeightPrecision, { onnx: string; manifest: string }>> = {
  float32: { onnx: 'ecg-encoder.onnx', manifest: 'device-manifest.json' },
  int8: { onnx: 'ecg-encoder-int8.onnx', manifest: 'device-manifest-int8.json' },
  float16: { onnx: 'ecg-encoder-fp16.onnx', manifest: 'device-manifest-fp16.json' },
};

/** How close each variant must come to the TF.js output in its self-test (measured margins in the tests). */
const SELF_TEST_TOLERANCE: Readonly<Record<WeightPrecision, { maxAbsDiff?: number; minCosine: number }>> = {
  float32: { maxAbsDiff: 1e-4, minCosine: 0.9999 },
  float16: { minCosine: 0.999 },
  int8: { minCosine: 0.998 },
};

/** Options of `exportRelease`. */
export interface ExportReleaseOptions {
  /** Variants to write. Default ['float32']. */
  readonly variants?: readonly WeightPrecision[];
  /** Rollout channel written into the manifests. Default none. */
  readonly channel?: string;
  /** Download URL of an ONNX file, given its name. Default none (the cloud fills it in when it serves the file). */
  readonly urlFor?: (file: string) => string;
  /** Signs the manifests (Ed25519 over canonical JSON); without it they are written unsigned. */
  readonly sign?: (bytes: Uint8Array) => Promise<Uint8Array>;
  /** Key id recorded beside the signature. */
  readonly keyId?: string;
  /** Clock for `created`. Default `new Date()`. */
  readonly now?: () => Date;
}

/** One written variant. */
export interface ExportedVariant {
  readonly precision: WeightPrecision;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly manifest: UnsignedDeviceManifest | DeviceManifest;
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

/** Exports the release in `dir`; returns what was written. */
export async function exportRelease(
  dir: string,
  options: ExportReleaseOptions = {},
): Promise<ExportedVariant[]> {
  const contents = await readReleaseDir(dir);
  const { manifest } = contents;
  const config = manifest.config as CgDmerConfig;
  const loaded = await loadRelease(dir);
  const input = createSelfTestInput(config.leads, config.windowSamples);
  let expected: Float32Array;
  try {
    const h = tf.tidy(
      () =>
        loaded.model.encodeEcg(
          tf.tensor3d(input.window, [1, config.leads, config.windowSamples]),
          tf.tensor2d(Float32Array.from(input.leadMask), [1, config.leads]),
        ).hEcg,
    );
    expected = (await h.data()) as Float32Array;
    h.dispose();
  } finally {
    loaded.model.dispose();
  }
  const created = (options.now?.() ?? new Date()).toISOString();
  const out: ExportedVariant[] = [];
  for (const precision of options.variants ?? ['float32']) {
    const bytes = exportEcgEncoderOnnx({
      config,
      weights: contents.weights,
      precision,
      metadata: {
        'heartline.release': manifest.id,
        'heartline.preprocessing': JSON.stringify(manifest.preprocessing),
      },
    });
    const files = ONNX_FILES[precision];
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const unsigned: UnsignedDeviceManifest = {
      format: 'heartline-device-manifest',
      formatVersion: 1,
      release: manifest.id,
      ...(options.channel ? { channel: options.channel } : {}),
      onnx: {
        ...(options.urlFor ? { url: options.urlFor(files.onnx) } : {}),
        sha256,
        bytes: bytes.length,
        precision,
      },
      input: {
        leads: config.leads,
        samples: config.windowSamples,
        sampleRate: config.sampleRate,
        ecgDim: config.ecgDim,
        preprocessing: manifest.preprocessing,
      },
      selfTest: {
        input: encodeFloat32Base64(input.window),
        leadMask: Array.from(input.leadMask),
        expected: Array.from(expected, (v) => Math.round(v * 1e6) / 1e6),
        ...SELF_TEST_TOLERANCE[precision],
      },
      created,
    };
    const device = options.sign ? await signDeviceManifest(unsigned, options.sign, options.keyId) : unsigned;
    await writeAtomically(join(dir, files.onnx), bytes);
    await writeAtomically(join(dir, files.manifest), `${JSON.stringify(device, null, 2)}\n`);
    out.push({ precision, file: files.onnx, bytes: bytes.length, sha256, manifest: device });
  }
  return out;
}
