import type { LeadStatus } from '@heartline/ecg/signal';
import { CANONICAL_LEADS, createPreprocessor } from '@heartline/ecg/signal';
import { openPtbxlFolder } from '@heartline/node-io';

/** What preprocessing a PTB-XL-layout folder produced: the figures `heartline start` prints. */
export interface FolderSummary {
  readonly dir: string;
  readonly rate: 100 | 500;
  readonly rows: number;
  readonly withSignal: number;
  readonly missingSignal: number;
  readonly windows: number;
  /** Mean 0–1 quality score over records with a signal. */
  readonly meanQuality: number;
  /** How many leads (over all records) were masked, by status. */
  readonly maskedLeads: Readonly<Partial<Record<LeadStatus, number>>>;
  /** Records per diagnostic superclass (a record counts once per superclass). */
  readonly superclasses: Readonly<Record<string, number>>;
  /** Reports per detected language. */
  readonly languages: Readonly<Record<string, number>>;
  readonly seconds: number;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Reads every record of a PTB-XL-layout folder through the standard reader, preprocesses each signal
 * into model windows with lead-quality masks, and tallies what it found.
 */
export async function summariseFolder(
  dir: string,
  rate: 100 | 500,
  onProgress?: (done: number, total: number) => void,
): Promise<FolderSummary> {
  const started = performance.now();
  const folder = await openPtbxlFolder(dir, { rate });
  const preprocessor = createPreprocessor();
  const maskedLeads: Partial<Record<LeadStatus, number>> = {};
  const superclasses: Record<string, number> = {};
  const languages: Record<string, number> = {};
  let withSignal = 0;
  let windows = 0;
  let qualitySum = 0;
  let done = 0;
  for await (const record of folder.records()) {
    for (const s of record.labels.superclasses) bump(superclasses, s);
    bump(languages, record.report.language);
    done += 1;
    onProgress?.(done, folder.summary.selected);
    if (!record.signal) continue;
    const result = preprocessor(record.signal);
    withSignal += 1;
    windows += result.windowCount;
    qualitySum += result.quality.score;
    result.quality.leads.forEach((lead, i) => {
      if (result.leadMask[i] === 0) maskedLeads[lead.status] = (maskedLeads[lead.status] ?? 0) + 1;
    });
  }
  return {
    dir,
    rate,
    rows: folder.summary.rows,
    withSignal,
    missingSignal: folder.summary.selected - withSignal,
    windows,
    meanQuality: withSignal ? qualitySum / withSignal : 0,
    maskedLeads,
    superclasses,
    languages,
    seconds: (performance.now() - started) / 1000,
  };
}

/** A few human-readable lines describing a {@link FolderSummary}. */
export function describeSummary(label: string, s: FolderSummary): string {
  const list = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const masked = list(s.maskedLeads as Record<string, number>);
  return [
    `${label}: ${s.dir}`,
    `  ${s.rows} records, ${s.withSignal} with a ${s.rate} Hz signal${s.missingSignal ? `, ${s.missingSignal} without waveforms` : ''}`,
    `  → ${s.windows} windows of ${CANONICAL_LEADS.length} leads × 10 s at 100 Hz in ${s.seconds.toFixed(1)} s`,
    `  mean signal quality ${s.meanQuality.toFixed(3)}; leads masked: ${masked}`,
    `  diagnostic superclasses: ${list(s.superclasses)}`,
    `  report languages: ${list(s.languages)}`,
  ].join('\n');
}
