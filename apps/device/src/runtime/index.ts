export { OnnxNodeEncoder } from './onnx-node-runtime.js';
export type { OnnxWebEncoderOptions } from './onnx-web-runtime.js';
export { OnnxWebEncoder } from './onnx-web-runtime.js';
