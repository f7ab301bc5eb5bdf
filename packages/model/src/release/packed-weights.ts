import { InvalidArgumentError, UnsupportedPlatformError } from '../errors.js';

/** One named weight tensor as plain data (what checkpoints, releases and the ONNX exporter exchange). */
export interface NamedWeight {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Named weights, by stable name (e.g. `ecg.block0.attn_t.wq`). */
export type WeightMap = Readonly<Record<string, NamedWeight>>;

/** Where each weight lives in a packed little-endian float32 buffer. */
export interface PackedWeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset in floats (not bytes). */
  readonly offset: number;
}

/** Packs weights (names sorted, so the bytes depend only on the weights) into one float32 buffer + index. */
export function packWeights(weights: WeightMap): { index: PackedWeightEntry[]; bytes: Uint8Array } {
  const names = Object.keys(weights).sort();
  let total = 0;
  const index: PackedWeightEntry[] = names.map((name) => {
    const w = weights[name]!;
    const count = w.shape.reduce((a, b) => a * b, 1);
    if (count !== w.values.length) {
      throw new InvalidArgumentError(
        `weights.${name}`,
        w.shape,
        `shape holds ${count} values but ${w.values.length} were given`,
      );
    }
    const entry = { name, shape: [...w.shape], offset: total };
    total += count;
    return entry;
  });
  const floats = new Float32Array(total);
  for (const entry of index) floats.set(weights[entry.name]!.values, entry.offset);
  const bytes = new Uint8Array(floats.buffer);
  // Float32Array is host-endian; every platform heartline runs on is little-endian, but say so if not.
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f)
    throw new UnsupportedPlatformError('big-endian hosts are not supported');
  return { index, bytes };
}

/** The inverse of {@link packWeights}; checks that every entry fits in the buffer. */
export function unpackWeights(
  index: readonly PackedWeightEntry[],
  bytes: Uint8Array,
): Record<string, NamedWeight> {
  if (bytes.byteLength % 4 !== 0) {
    throw new InvalidArgumentError('weights.bytes', bytes.byteLength, 'must be a multiple of 4 (float32)');
  }
  const floats = new Float32Array(new Uint8Array(bytes).buffer);
  const out: Record<string, NamedWeight> = {};
  for (const entry of index) {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(entry.offset) || entry.offset < 0 || entry.offset + count > floats.length) {
      throw new InvalidArgumentError(
        `weights index '${entry.name}'`,
        entry.offset,
        `does not fit in ${floats.length} floats`,
      );
    }
    out[entry.name] = { shape: entry.shape, values: floats.slice(entry.offset, entry.offset + count) };
  }
  return out;
}
