import type { PreprocessOptions } from '@heartline/ecg/signal';

/**
 * The cache's `index.json`: what the shards were built from and with, and which are finished. It is
 * rewritten (atomically) after every finished shard, so after a crash it lists exactly the shards whose
 * files are complete; a rerun builds only the others.
 */
export const MANIFEST_FILE = 'index.json';
export const SHARD_CACHE_FORMAT = 'heartline-shard-cache';
/** Bumped whenever the shard layout or what the writer stores changes; other versions are not read. */
export const SHARD_CACHE_VERSION = 1;

/** What decides the bytes of a shard besides its input records. */
export interface ShardCacheSettings {
  /** Input records per shard (a shard holds fewer examples when records are skipped). */
  readonly shardSize: number;
  /** Preprocessing options, as given (defaults are the preprocessor's). */
  readonly preprocess: PreprocessOptions;
  readonly encoding: 'int16-lead-scale';
}

/** One finished shard. */
export interface ShardEntry {
  readonly index: number;
  readonly file: string;
  /** Its input records are `sources[firstSource … firstSource + sourceCount)`. */
  readonly firstSource: number;
  readonly sourceCount: number;
  /** Examples stored (records without a usable window are skipped). */
  readonly examples: number;
  readonly bytes: number;
  /** Hex SHA-256 of the file. */
  readonly sha256: string;
}

/** The manifest as stored. */
export interface ShardCacheManifest {
  readonly format: typeof SHARD_CACHE_FORMAT;
  readonly version: number;
  readonly settings: ShardCacheSettings;
  /** The input: record count and SHA-256 of the record keys, so a cache of other records is refused. */
  readonly input: { readonly records: number; readonly digest: string };
  readonly shardCount: number;
  /** Finished shards, by index. */
  readonly shards: readonly ShardEntry[];
}

/** JSON with object keys sorted and `undefined` fields dropped, so equal settings compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Shard `index`'s file name. */
export function shardFileName(index: number): string {
  return `shard-${String(index).padStart(5, '0')}.bin`;
}

/**
 * Why `manifest` cannot serve a cache of `settings` over `input`, or undefined when it can. Differences
 * are named so the error can say what changed.
 */
export function manifestMismatch(
  manifest: ShardCacheManifest,
  settings: ShardCacheSettings,
  input?: ShardCacheManifest['input'],
): string | undefined {
  if (manifest.format !== SHARD_CACHE_FORMAT) return `format is '${String(manifest.format)}'`;
  if (manifest.version !== SHARD_CACHE_VERSION) {
    return `format version is ${manifest.version}, this build reads ${SHARD_CACHE_VERSION}`;
  }
  const was = canonicalJson(manifest.settings);
  const now = canonicalJson(settings);
  if (was !== now) return `built with settings ${was}, asked for ${now}`;
  if (input && (manifest.input.records !== input.records || manifest.input.digest !== input.digest)) {
    return `built from ${manifest.input.records} other records (digest ${manifest.input.digest.slice(0, 12)}…)`;
  }
  return undefined;
}

/** Parses `index.json` text, checking its shape enough to trust the fields used. */
export function parseManifest(text: string, source: string): ShardCacheManifest {
  const value = JSON.parse(text) as Partial<ShardCacheManifest>;
  if (
    value.format !== SHARD_CACHE_FORMAT ||
    typeof value.version !== 'number' ||
    !value.settings ||
    !value.input ||
    typeof value.shardCount !== 'number' ||
    !Array.isArray(value.shards)
  ) {
    throw new RangeError(`${source}: not a heartline shard-cache manifest`);
  }
  return value as ShardCacheManifest;
}
