/**
 * Shared vectors are stored as `real[]`, a type every PostgreSQL has (pgvector, where installed, indexes
 * them through a cast to `vector(dim)`). This is their text form (`{1,2.5,-3}`) for parameters that travel
 * as text. Nine significant digits round-trip every float32 exactly and keep the text short.
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
 * A stored vector as a Float32Array: both drivers hand `real[]` over as an array of numbers; a text form
 * (`{…}`, or pgvector's `[…]`) is parsed.
 */
export function parseVector(value: string | readonly number[]): Float32Array {
  if (typeof value !== 'string') return Float32Array.from(value);
  const inner = value.trim().slice(1, -1);
  if (!inner) return new Float32Array(0);
  return Float32Array.from(inner.split(','), Number);
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
