/**
 * pgvector's text form. Nine significant digits round-trip every float32 exactly and keep the text (and
 * pgvector's parse, the cost of a vector insert) short.
 */
export function vectorText(values: Float32Array, offset = 0, length = values.length - offset): string {
  let text = '[';
  for (let i = 0; i < length; i++) {
    if (i) text += ',';
    text += Number(values[offset + i]!.toPrecision(9));
  }
  return `${text}]`;
}

/** Parses pgvector's text form (`[1,2.5,-3]`) into a Float32Array. */
export function parseVector(text: string): Float32Array {
  const inner = text.trim().slice(1, -1);
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
