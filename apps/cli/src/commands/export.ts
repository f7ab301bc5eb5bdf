import { readFile } from 'node:fs/promises';
import type { WeightPrecision } from '@heartline/model/onnx';
import { ed25519Signer, exportRelease, selectBackend } from '@heartline/trainer';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline export --release DIR [--variants fp32,int8,fp16] [--channel NAME]
                        [--url-prefix URL] [--signing-key FILE] [--key-id ID]

Writes the release's ECG-specific encoder as ONNX (opset 17) into DIR: ecg-encoder.onnx (float32),
ecg-encoder-int8.onnx (int8 weights, dynamic quantisation), ecg-encoder-fp16.onnx (float16 weights), each
with a device manifest (device-manifest[-int8|-fp16].json: size, sha256, input spec, a self-test window
with the TF.js output). --signing-key (an Ed25519 private key, PEM) signs the manifests.`;

const VARIANTS: Readonly<Record<string, WeightPrecision>> = {
  fp32: 'float32',
  int8: 'int8',
  fp16: 'float16',
};

/** `heartline export`: ONNX files and device manifests for a release. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'export a release’s ECG encoder to ONNX (fp32/int8/fp16) with device manifests',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      release: { type: 'string' },
      variants: { type: 'string', default: 'fp32' },
      channel: { type: 'string' },
      'url-prefix': { type: 'string' },
      'signing-key': { type: 'string' },
      'key-id': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.release) throw new UsageError('--release DIR is required');
    const variants = values.variants.split(',').map((v) => {
      const precision = VARIANTS[v.trim()];
      if (!precision)
        throw new UsageError(`--variants: '${v}' is not one of ${Object.keys(VARIANTS).join(', ')}`);
      return precision;
    });
    const prefix = values['url-prefix'];
    const sign = values['signing-key']
      ? ed25519Signer(await readFile(values['signing-key'], 'utf8'))
      : undefined;
    await selectBackend('wasm', { log: () => {} });
    const written = await exportRelease(values.release, {
      variants,
      ...(values.channel ? { channel: values.channel } : {}),
      ...(prefix ? { urlFor: (file: string) => `${prefix.replace(/\/$/, '')}/${file}` } : {}),
      ...(sign ? { sign } : {}),
      ...(values['key-id'] ? { keyId: values['key-id'] } : {}),
    });
    for (const v of written) {
      io.stdout(`${v.file}: ${v.precision}, ${v.bytes} bytes, sha256 ${v.sha256}${sign ? ', signed' : ''}\n`);
    }
    return 0;
  },
};
