import { UsageError } from './command.js';

/** An integer flag value in [min, max], or undefined when the flag is absent; anything else is a UsageError. */
export function integerOption(
  flag: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${flag} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got '${value}'`,
    );
  }
  return n;
}

/** A numeric flag value ≥ min; anything else is a UsageError. */
export function numberOption(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`${flag} must be a number ≥ ${min}, got '${value}'`);
  }
  return n;
}
