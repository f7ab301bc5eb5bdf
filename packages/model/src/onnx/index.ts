export type {
  DeviceManifest,
  DeviceManifestInput,
  SelfTest,
  UnsignedDeviceManifest,
} from './device-manifest.js';
export {
  canonicalJson,
  checkSelfTest,
  createSelfTestInput,
  decodeFloat32Base64,
  encodeFloat32Base64,
  runSelfTest,
  signDeviceManifest,
  verifyDeviceManifest,
} from './device-manifest.js';
export type { ExportEcgEncoderOptions } from './export-ecg-encoder.js';
export { exportEcgEncoderOnnx, ONNX_IO, ONNX_OPSET } from './export-ecg-encoder.js';
export type { WeightPrecision } from './graph-builder.js';
