import { selectBackend } from '../backend.js';
import { tfEncoders } from '../eval/tf-encoders.js';
import { loadRelease } from '../load-release.js';
import type { AlignPair } from './align-pairs.js';
import type { ExampleSet } from './example-set.js';

/**
 * (h_ecg, report) pairs from windows: h_ecg computed with the ECG-specific encoder of the release in
 * `releaseDir`, as a device running that release would (for align mode where no device data is stored,
 * e.g. the CLI). Examples without a report are skipped.
 */
export async function alignPairsFromExamples(releaseDir: string, set: ExampleSet): Promise<AlignPair[]> {
  await selectBackend();
  const release = await loadRelease(releaseDir);
  try {
    const { h } = tfEncoders(release.model, release.tokenizer).encodeEcg(
      set.windows,
      set.leadMasks,
      set.size,
    );
    const d = release.model.config.ecgDim;
    const pairs: AlignPair[] = [];
    for (let i = 0; i < set.size; i++) {
      if (set.reports[i]!.trim() === '') continue;
      pairs.push({
        h: h.slice(i * d, (i + 1) * d),
        report: set.reports[i]!,
        codes: set.labels[i]!,
        id: set.ids[i]!,
      });
    }
    return pairs;
  } finally {
    release.model.dispose();
  }
}
