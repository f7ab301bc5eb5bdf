import { createPreprocessor } from '@heartline/ecg/signal';
import { readChallengeFolder } from '@heartline/node-io';
import type { Example, ExampleSet } from './example-set.js';
import { packExamples } from './example-set.js';

/**
 * Reads a PhysioNet Challenge 2020/2021-layout folder (`.hea` + `.mat`, SNOMED CT `# Dx:` codes) into
 * examples labelled through the one SNOMED → heartline class table. The layout has no report text, so
 * these examples serve zero-shot diagnosis and the linear probe, not retrieval.
 */
export async function examplesFromChallengeFolder(
  dir: string,
  options: { limit?: number } = {},
): Promise<{ set: ExampleSet; unmappedCodes: Record<string, number> }> {
  const records = await readChallengeFolder(dir, options.limit !== undefined ? { limit: options.limit } : {});
  const preprocessor = createPreprocessor();
  const unmappedCodes: Record<string, number> = {};
  const examples: Example[] = [];
  for (const record of records) {
    for (const code of record.unmappedCodes) unmappedCodes[code] = (unmappedCodes[code] ?? 0) + 1;
    if (!record.signal) continue;
    const result = preprocessor(record.signal);
    if (result.windowCount === 0) continue;
    examples.push({
      window: result.windows.slice(0, 12 * 1000),
      leadMask: result.leadMask.slice(),
      report: '',
      reportKey: '',
      language: 'unknown',
      labels: [...new Set([...record.labels.superclasses, ...record.labels.rhythm, ...record.labels.scp])],
      fold: 0,
      source: 'challenge',
      id: `${dir}#${record.id}`,
    });
  }
  return { set: packExamples(examples), unmappedCodes };
}
