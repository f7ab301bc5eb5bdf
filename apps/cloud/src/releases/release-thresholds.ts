/**
 * A release's per-class zero-shot thresholds, as its evaluation stored them: metrics.json's
 * `validation.zeroShot.perClass[code].threshold` (the cosine that maximised F1), chosen on the
 * calibration split when training had one (`f1Thresholds: 'calibration'`), else on the evaluated
 * validation set itself (`'evaluation-set'`, optimistic; the draft says which). A release without them
 * (no metrics.json, an older format) gets none: its drafts list no zero-shot codes rather than codes over
 * an invented threshold. A class no calibration example had (threshold +∞, stored as null) never fires.
 */
import type { ThresholdSource } from '@heartline/model/report';
import { CLASS_SETS, type ClassSetName } from '@heartline/model/text';
import { RELEASE_FILES } from '@heartline/trainer';
import type { ReleaseRow } from '../storage/releases.js';
import type { ReleaseCatalog } from './release-models.js';

/** Per-class cosine thresholds of a release and where they came from. */
export interface ReleaseThresholds {
  readonly source: ThresholdSource;
  /** Class code → threshold; null: the class had no positive to choose one on. */
  readonly thresholds: Readonly<Record<string, number | null>>;
  /** The class set the thresholds were chosen for (the one covering most of them; default superclass). */
  readonly classSet: ClassSetName;
}

const NONE: ReleaseThresholds = { source: 'none', thresholds: {}, classSet: 'superclass' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The class set that holds most of `codes`, superclass on a tie or when none does. */
export function classSetOf(codes: readonly string[]): ClassSetName {
  let best: ClassSetName = 'superclass';
  let bestCount = 0;
  for (const [name, set] of Object.entries(CLASS_SETS) as [ClassSetName, readonly string[]][]) {
    const count = codes.filter((c) => set.includes(c)).length;
    if (count > bestCount) [best, bestCount] = [name, count];
  }
  return best;
}

/** Thresholds from the text of a metrics.json (training's `{ validation }`, or an `heartline eval` report). */
export function parseReleaseThresholds(metricsText: string | undefined): ReleaseThresholds {
  if (metricsText === undefined) return NONE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metricsText);
  } catch {
    return NONE;
  }
  if (!isRecord(parsed)) return NONE;
  const report = isRecord(parsed['validation']) ? parsed['validation'] : parsed;
  const zeroShot = report['zeroShot'];
  if (!isRecord(zeroShot) || !isRecord(zeroShot['perClass'])) return NONE;
  const source = zeroShot['f1Thresholds'];
  if (source !== 'calibration' && source !== 'evaluation-set') return NONE;
  const thresholds: Record<string, number | null> = {};
  for (const [code, entry] of Object.entries(zeroShot['perClass'])) {
    if (!isRecord(entry)) continue;
    const t = entry['threshold'];
    // JSON writes +∞ (no positive to calibrate on) as null.
    if (t === null) thresholds[code] = null;
    else if (typeof t === 'number' && Number.isFinite(t)) thresholds[code] = t;
  }
  if (Object.keys(thresholds).length === 0) return NONE;
  return { source, thresholds, classSet: classSetOf(Object.keys(thresholds)) };
}

/** The stored thresholds of a release, read from its metrics.json. */
export async function releaseThresholds(
  releases: ReleaseCatalog,
  row: ReleaseRow,
): Promise<ReleaseThresholds> {
  const bytes = await releases.files.read(row, RELEASE_FILES.metrics);
  return parseReleaseThresholds(bytes && Buffer.from(bytes).toString('utf8'));
}
