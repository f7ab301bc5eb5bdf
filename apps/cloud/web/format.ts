/** How the dashboard writes numbers, times and scores. */

/** Placeholder for a value the cloud does not know. */
export const UNKNOWN = '—';

/** An integer count with thousands separators, or `—`. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? UNKNOWN
    : Math.round(value).toLocaleString('en');
}

/** A fraction 0–1 as a percentage with `digits` decimals, or `—`. */
export function formatPercent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? UNKNOWN
    : `${(value * 100).toFixed(digits)} %`;
}

/** A score or metric with three decimals, or `—`. */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? UNKNOWN : value.toFixed(3);
}

/** How long ago `iso` was, relative to `now` (ms since epoch): `12 s ago`, `3 min ago`, `2 h ago`, `4 d ago`. */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return UNKNOWN;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return UNKNOWN;
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A UTC timestamp as `YYYY-MM-DD HH:MM:SS UTC`, or `—`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return UNKNOWN;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return UNKNOWN;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Names of the leads a 12-bit lead mask marks as in use (bit i = lead i of I, II, III, aVR…V6). */
export function leadsInMask(mask: number): string[] {
  const names = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
  return names.filter((_, i) => (mask >> i) & 1);
}

/** A job's progress as a fraction 0–1 (0 when the total is unknown). */
export function progressFraction(progress: { done: number; total: number } | null): number {
  if (!progress || !(progress.total > 0)) return 0;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}
