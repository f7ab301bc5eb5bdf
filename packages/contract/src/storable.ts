/**
 * The database's ranges, stated once so that what the wire accepts is exactly what storage can hold.
 * The cloud keeps `quality` in a PostgreSQL `real`, `h` as float32 bytes, `z` in pgvector (float32), `t0`
 * in a `timestamptz` and ids in `text`; each rule below is the narrowest of what those columns accept and
 * what a real device produces, so a message that passes validation can never fail its INSERT.
 */

/** Largest finite float32 (FLT_MAX). */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** Smallest positive normal float32 (FLT_MIN, 2^-126); smaller magnitudes are subnormal. */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
/** Latest window start accepted on the wire, ms since the epoch (year 2100: no device clock is later). */
export const MAX_T0_MS = 4_102_444_800_000;
/**
 * Smallest positive window start, ms: one microsecond, `timestamptz`'s resolution. A smaller positive
 * t0 (e.g. 5e-324) is no time a clock gives, and the database's `t0 / 1000.0` underflows on it (22003).
 */
export const MIN_POSITIVE_T0_MS = 0.001;

/** Whether `t0` is a window start the database stores: 0, or 1 µs to the year 2100, ms since the epoch. */
export function isStorableT0(t0: number): boolean {
  return Number.isFinite(t0) && (t0 === 0 || (t0 >= MIN_POSITIVE_T0_MS && t0 <= MAX_T0_MS));
}

/** Largest seq (JavaScript's safe integers; PostgreSQL's `bigint` holds more). */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/**
 * Whether `x` is a number every float32 column stores as itself: finite, within float32's range after
 * rounding, and normal or zero. Subnormals are refused: PostgreSQL rejects `real` values that underflow
 * (1e-50 stopped a whole batch before), and no encoder output is that close to zero on purpose.
 */
export function isStorableFloat32(x: number): boolean {
  if (!Number.isFinite(x)) return false;
  if (x === 0) return true;
  const magnitude = Math.abs(Math.fround(x));
  return magnitude >= FLOAT32_MIN_NORMAL && magnitude <= FLOAT32_MAX;
}

/** Index of the first value that {@link isStorableFloat32} refuses, or -1. */
export function firstUnstorableFloat32(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!isStorableFloat32(values[i]!)) return i;
  return -1;
}

/**
 * Ids (device, release, patient, study): 1–64 characters of `[A-Za-z0-9._-]`, starting with a letter or
 * digit. Bounded, topic-safe, and free of NUL and of anything a `text` column or a log could misread.
 */
export const STORABLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * `x` as a device should send it: rounded to float32, and zero where it would be subnormal (the value is
 * below any meaningful resolution, and the cloud refuses subnormals). Non-finite values stay as they are
 * for the validation to name.
 */
export function flushSubnormal(x: number): number {
  const f = Math.fround(x);
  return f !== 0 && Math.abs(f) < FLOAT32_MIN_NORMAL ? 0 : f;
}
