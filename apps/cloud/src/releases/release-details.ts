/**
 * One release as the dashboard shows it: what release.json says about it, its evaluation report
 * (metrics.json's `validation`), a ROC curve per zero-shot class and the training log
 * (training-log.jsonl), all read from the release's files (releases/release-files.ts).
 */
import { RELEASE_FILES } from '@heartline/trainer';
import type {
  EvaluationMetrics,
  ReleaseDetails,
  RocCurve,
  TrainingLogRecord,
} from '../http/routes/releases.js';
import type { ReleaseRow } from '../storage/releases.js';
import { alignComparison } from './align-comparison.js';

/** What `GET /releases/{id}` returns. */
export type { ReleaseDetails };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A numeric series as stored: an array, or the index-keyed object `JSON.stringify` makes of a typed
 * array (`{"0": 0, "1": 0.5}`). Undefined when it is neither or holds a non-number.
 */
export function numberSeries(value: unknown): number[] | undefined {
  let values: unknown[];
  if (Array.isArray(value)) values = value;
  else if (isRecord(value)) {
    const keys = Object.keys(value);
    if (!keys.every((k, i) => k === String(i))) return undefined;
    values = keys.map((k) => value[k]);
  } else return undefined;
  return values.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (values as number[]) : undefined;
}

/**
 * ROC curves of an evaluation report's zero-shot classes, and the report without the bulky per-class
 * `roc` (with its `±Infinity` thresholds that JSON turns into null). Classes without a readable curve
 * are left out: older releases give `{}`.
 */
export function splitRocCurves(report: Record<string, unknown>): {
  metrics: Record<string, unknown>;
  rocCurves: Record<string, RocCurve>;
} {
  const rocCurves: Record<string, RocCurve> = {};
  const zeroShot = report['zeroShot'];
  if (!isRecord(zeroShot) || !isRecord(zeroShot['perClass'])) return { metrics: report, rocCurves };
  const perClass: Record<string, unknown> = {};
  for (const [code, entry] of Object.entries(zeroShot['perClass'])) {
    if (!isRecord(entry)) {
      perClass[code] = entry;
      continue;
    }
    const { roc, ...rest } = entry;
    perClass[code] = rest;
    if (!isRecord(roc)) continue;
    const fpr = numberSeries(roc['fpr']);
    const tpr = numberSeries(roc['tpr']);
    if (!fpr || !tpr || fpr.length !== tpr.length || fpr.length === 0) continue;
    const auroc = typeof rest['auroc'] === 'number' && Number.isFinite(rest['auroc']) ? rest['auroc'] : null;
    rocCurves[code] = { fpr, tpr, auroc };
  }
  return { metrics: { ...report, zeroShot: { ...zeroShot, perClass } }, rocCurves };
}

/** The JSON lines of a training log; lines that are not JSON objects are skipped. */
export function parseTrainingLog(text: string): unknown[] {
  const records: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const record: unknown = JSON.parse(line);
      if (isRecord(record)) records.push(record);
    } catch {
      // A line cut short by a crash mid-append.
    }
  }
  return records;
}

/**
 * A registered release's details from its catalog row and its files; `read` gives a file's text, or
 * undefined when the release has no such file.
 */
export async function releaseDetails(
  row: ReleaseRow,
  read: (name: string) => Promise<string | undefined>,
): Promise<ReleaseDetails> {
  const manifest = isRecord(row.manifest) ? row.manifest : {};
  const text = (key: string) => (typeof manifest[key] === 'string' ? (manifest[key] as string) : null);
  const metricsText = await read(RELEASE_FILES.metrics);
  let report: Record<string, unknown> | null = null;
  let parsed: unknown;
  if (metricsText !== undefined) {
    try {
      parsed = JSON.parse(metricsText);
      // Training writes { validation: EvaluationReport, training }; `heartline eval` output is the report.
      if (isRecord(parsed)) report = isRecord(parsed['validation']) ? parsed['validation'] : parsed;
    } catch {
      report = null;
    }
  }
  const split = report ? splitRocCurves(report) : { metrics: null, rocCurves: {} };
  const log = await read(RELEASE_FILES.trainingLog);
  return {
    id: row.id,
    ecgDim: row.ecgDim,
    sharedDim: row.sharedDim,
    live: row.live,
    created: text('created'),
    mode: text('mode'),
    preset: text('preset'),
    data: manifest['data'] ?? null,
    // The files are the trainer's own output, passed on as written (the schema lists what readers use).
    metrics: split.metrics ? ({ ...split.metrics, rocCurves: split.rocCurves } as EvaluationMetrics) : null,
    rocCurves: split.rocCurves,
    trainingLog: log === undefined ? [] : (parseTrainingLog(log) as TrainingLogRecord[]),
    parentComparison: text('mode') === 'align' ? alignComparison(parsed) : null,
  };
}
