/**
 * The one place that picks TensorFlow.js's backend for training: native GPU, native CPU, wasm, then the
 * pure-JS cpu backend. The native packages are optional (a GPU host installs them); they are loaded by a
 * variable module name so neither TypeScript nor the bundler needs them present.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from './errors.js';

/** A backend the trainer can run on, best first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Backends in the order `selectBackend` tries them. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** Receives one line per attempt saying why a backend was skipped or chosen. Default: silent. */
  readonly log?: (line: string) => void;
}

const NATIVE_PACKAGES: Readonly<Record<'tensorflow-gpu' | 'tensorflow', string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const require = createRequire(import.meta.url);

/** Dynamic import through a variable so TypeScript does not resolve (or require types for) the module. */
async function importOptional(name: string): Promise<unknown> {
  const specifier: string = name;
  return import(/* @vite-ignore */ specifier);
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<string | undefined> {
  try {
    // The native packages register their backend under the name 'tensorflow' as a side effect.
    await importOptional(NATIVE_PACKAGES[name]);
  } catch (error) {
    return `${NATIVE_PACKAGES[name]} is not installed (${(error as Error).message.split('\n')[0]})`;
  }
  if (!(await tf.setBackend('tensorflow')))
    return `${NATIVE_PACKAGES[name]} loaded but its backend failed to start`;
  return undefined;
}

async function tryWasm(): Promise<string | undefined> {
  try {
    const wasm = (await import(
      '@tensorflow/tfjs-backend-wasm'
    )) as typeof import('@tensorflow/tfjs-backend-wasm');
    const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
    // In Node the wasm binaries are read from disk: point the loader at the package's own dist folder.
    wasm.setWasmPaths(`${path.dirname(entry)}${path.sep}`);
    // One thread: the threaded build needs worker plumbing Node does not give it here; SIMD stays on.
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
    return undefined;
  } catch (error) {
    return `the wasm backend failed to load (${(error as Error).message.split('\n')[0]})`;
  }
}

async function tryCpu(): Promise<string | undefined> {
  await import('@tensorflow/tfjs-backend-cpu');
  return (await tf.setBackend('cpu')) ? undefined : 'the cpu backend failed to initialise';
}

async function tryBackend(name: BackendName): Promise<string | undefined> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(name);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

/**
 * Activates the best available backend, starting at `preference` (default: the best) and falling back in
 * `BACKEND_ORDER`; resolves to the backend chosen. Calling it again is cheap (the backend stays registered).
 */
export async function selectBackend(
  preference: BackendName = 'tensorflow-gpu',
  options: SelectBackendOptions = {},
): Promise<BackendName> {
  const log = options.log ?? (() => {});
  const start = BACKEND_ORDER.indexOf(preference);
  if (start < 0)
    throw new RangeError(
      `selectBackend: preference = ${JSON.stringify(preference)} is not one of ${BACKEND_ORDER.join(', ')}`,
    );
  for (const name of BACKEND_ORDER.slice(start)) {
    const failure = await tryBackend(name);
    if (failure === undefined) {
      await tf.ready();
      log(`backend: using ${name}`);
      return name;
    }
    log(`backend: skipping ${name}: ${failure}`);
  }
  throw new BackendUnavailableError('selectBackend: no TensorFlow.js backend could be initialised');
}
