/**
 * What evaluation needs from a release: ECG windows → ECG-specific (h) and shared (z) embeddings, and
 * texts → shared embeddings. Implemented over the TF.js model here and over ONNX + stored vectors later.
 */
export interface AlignedEncoders {
  /** Width of h_ecg (the device embedding, the linear probe's features). */
  readonly ecgDim: number;
  /** Width of the shared space (z vectors are L2-normalised). */
  readonly sharedDim: number;
  /** `n × 12 × 1000` windows and `n × 12` lead masks → `h` (`n × ecgDim`) and `z` (`n × sharedDim`). */
  encodeEcg(windows: Float32Array, leadMasks: Uint8Array, n: number): { h: Float32Array; z: Float32Array };
  /** Texts → `z` (`texts.length × sharedDim`), L2-normalised. */
  encodeText(texts: readonly string[]): Float32Array;
}
