import type { ReportLanguage } from '@heartline/ecg/data';
import type { ExampleSource } from '../example-set.js';

/**
 * One shard file: an 8-byte magic, a little-endian u32 length, the metadata as UTF-8 JSON, zero padding
 * to a multiple of 4 bytes, then three arrays: float32 scales `[count × leads]`, uint8 lead masks
 * `[count × leads]` (padded to even length) and int16 window codes `[count × leads × windowLength]`
 * (see quantise.ts). The metadata comes first so {@link readShardMetaBytes}' callers can read just the
 * head of the file. Byte order is little-endian, as on every platform Node supports here.
 */
export const SHARD_MAGIC = 'HLSHARD1';

/** Per-example metadata of a shard, stored as JSON. */
export interface ShardMeta {
  readonly count: number;
  readonly leads: number;
  readonly windowLength: number;
  readonly reports: readonly string[];
  readonly reportKeys: readonly string[];
  readonly languages: readonly ReportLanguage[];
  readonly labels: readonly (readonly string[])[];
  readonly folds: readonly number[];
  readonly sources: readonly ExampleSource[];
  readonly ids: readonly string[];
}

/** A shard in memory, still quantised: about half the bytes of the float32 windows it decodes to. */
export interface QuantisedShard {
  readonly meta: ShardMeta;
  /** `count × leads` scales. */
  readonly scales: Float32Array;
  /** `count × leads`; 1 = lead usable. */
  readonly leadMasks: Uint8Array;
  /** `count × leads × windowLength` codes. */
  readonly codes: Int16Array;
}

const HEAD = 12;
const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** Serialises a shard. */
export function encodeShard(shard: QuantisedShard): Uint8Array {
  const { count, leads, windowLength } = shard.meta;
  if (shard.scales.length !== count * leads || shard.leadMasks.length !== count * leads) {
    throw new RangeError(`encodeShard: scales/leadMasks must hold ${count * leads} values`);
  }
  if (shard.codes.length !== count * leads * windowLength) {
    throw new RangeError(`encodeShard: codes must hold ${count * leads * windowLength} values`);
  }
  const json = new TextEncoder().encode(JSON.stringify(shard.meta));
  const scalesAt = align(HEAD + json.length, 4);
  const masksAt = scalesAt + shard.scales.byteLength;
  const codesAt = masksAt + align(shard.leadMasks.length, 2);
  const bytes = new Uint8Array(codesAt + shard.codes.byteLength);
  bytes.set(new TextEncoder().encode(SHARD_MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, HEAD);
  bytes.set(new Uint8Array(shard.scales.buffer, shard.scales.byteOffset, shard.scales.byteLength), scalesAt);
  bytes.set(shard.leadMasks, masksAt);
  bytes.set(new Uint8Array(shard.codes.buffer, shard.codes.byteOffset, shard.codes.byteLength), codesAt);
  return bytes;
}

/** Bytes of the head needed before the metadata can be read (magic and length). */
export const SHARD_HEAD_BYTES = HEAD;

/** The metadata length stored in a shard's first {@link SHARD_HEAD_BYTES} bytes; `source` names the file. */
export function shardMetaLength(head: Uint8Array, source: string): number {
  if (head.length < HEAD || new TextDecoder().decode(head.subarray(0, 8)) !== SHARD_MAGIC) {
    throw new RangeError(`${source}: not a heartline shard file (magic ${SHARD_MAGIC} missing)`);
  }
  return new DataView(head.buffer, head.byteOffset, HEAD).getUint32(8, true);
}

/** Parses the metadata from the first `SHARD_HEAD_BYTES + metaLength` bytes of a shard. */
export function readShardMetaBytes(bytes: Uint8Array, source: string): ShardMeta {
  const length = shardMetaLength(bytes, source);
  if (bytes.length < HEAD + length) throw new RangeError(`${source}: shard metadata truncated`);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(HEAD, HEAD + length))) as ShardMeta;
}

/** Parses a whole shard file; the arrays are views on `bytes` when aligned, copies otherwise. */
export function decodeShard(bytes: Uint8Array, source: string): QuantisedShard {
  const meta = readShardMetaBytes(bytes, source);
  const { count, leads, windowLength } = meta;
  const scalesAt = align(HEAD + shardMetaLength(bytes, source), 4);
  const masksAt = scalesAt + count * leads * 4;
  const codesAt = masksAt + align(count * leads, 2);
  const end = codesAt + count * leads * windowLength * 2;
  if (bytes.length !== end) {
    throw new RangeError(`${source}: shard is ${bytes.length} bytes, its metadata implies ${end}`);
  }
  // Typed-array views need aligned offsets; a buffer from a pool may start anywhere.
  const base = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const at = base.byteOffset;
  return {
    meta,
    scales: new Float32Array(base.buffer, at + scalesAt, count * leads),
    leadMasks: new Uint8Array(base.buffer, at + masksAt, count * leads),
    codes: new Int16Array(base.buffer, at + codesAt, count * leads * windowLength),
  };
}
