/**
 * Shared vectors are stored as `real[]`, a type every PostgreSQL has, or as pgvector's `vector` where it is
 * installed (which takes a `real[]` on assignment). This is the `real[]` text form (`{1,2.5,-3}`) for
 * parameters that travel as text. Nine significant digits round-trip every float32 exactly and keep the text short.
 */
export function vectorText(values: Float32Array, offset = 0, length = values.length - offset): string {
  let text = '{';
  for (let i = 0; i < length; i++) {
    if (i) text += ',';
    text += Number(values[offset + i]!.toPrecision(9));
  }
  return `${text}}`;
}

/**
 * A stored vector read as text (`z::text`: `{…}` for `real[]`, `[…]` for pgvector's `vector`) as a
 * Float32Array; an array of numbers is taken as it is. Vectors are read as text because both forms are
 * valid JSON once bracketed, and JSON.parse is ~3× faster than PGlite's own `real[]` parser (5,000 128-d
 * rows: 316 vs 909 ms).
 */
export function parseVector(value: string | readonly number[]): Float32Array {
  return Float32Array.from(vectorValues(value));
}

/** The numbers of a stored vector's text form (see {@link parseVector}). */
export function vectorValues(value: string | readonly number[]): readonly number[] {
  if (typeof value !== 'string') return value;
  const inner = value.trim().slice(1, -1);
  return inner ? (JSON.parse(`[${inner}]`) as number[]) : [];
}

/** Little-endian float32 bytes of a vector, copied (for `bytea` columns). */
export function float32Bytes(values: Float32Array, offset = 0, length = values.length - offset): Uint8Array {
  return new Uint8Array(
    values.buffer.slice(values.byteOffset + offset * 4, values.byteOffset + (offset + length) * 4),
  );
}

/** The float32 vector stored in a `bytea` column. */
export function fromFloat32Bytes(bytes: Uint8Array): Float32Array {
  return new Float32Array(new Uint8Array(bytes).buffer);
}
