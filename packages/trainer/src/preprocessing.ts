import type { PreprocessOptions } from '@heartline/ecg/signal';
import type { CgDmerConfig } from '@heartline/model/nn';

/** The preprocessing a release's inputs must go through, recorded in its manifest for devices and cloud. */
export function preprocessOptionsOfModel(
  config: CgDmerConfig,
): Required<Pick<PreprocessOptions, 'targetRate' | 'band' | 'notchHz' | 'normalisation' | 'windowSeconds'>> {
  return {
    targetRate: config.sampleRate,
    band: [0.5, 40],
    notchHz: 50,
    normalisation: 'zscore',
    windowSeconds: config.windowSamples / config.sampleRate,
  };
}
