export type { EncoderRuntime, EncoderRuntimeFactory, EncoderRuntimeOptions } from './encoder-runtime.js';
export { checkRunArguments, loadError, runtimeShape } from './encoder-runtime.js';
export type { SwapOptions, SwapResult } from './swappable-encoder.js';
export { SwappableEncoder } from './swappable-encoder.js';
