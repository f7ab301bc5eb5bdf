/**
 * What a signal's amplitudes mean. `mV`: physical millivolts (records in µV, V or nV are converted when
 * read). `normalised`: already scaled by whoever wrote the record — WFDB units `NU`, e.g. PTB-XL copies
 * that were band-passed and z-scored per lead — so an amplitude says nothing about the electrode, and
 * checks in millivolts (a flat lead below 10 µV) must not be applied to it.
 */
export type AmplitudeUnit = 'mV' | 'normalised';

/** How a header's units string reads: the unit it becomes and the factor to it (1 for `normalised`). */
export interface UnitReading {
  readonly unit: AmplitudeUnit;
  readonly factor: number;
}

const VOLTAGE_FACTORS: ReadonlyMap<string, number> = new Map([
  ['mv', 1],
  ['uv', 1e-3],
  ['µv', 1e-3],
  ['μv', 1e-3],
  ['v', 1e3],
  ['nv', 1e-6],
]);

const NORMALISED = new Set(['nu', 'n.u.', 'au', 'a.u.']);

/**
 * Reads a WFDB units string: voltages (mV, µV/uV, V, nV) become millivolts with their factor; `NU` (and
 * arbitrary units `AU`) are `normalised`. Anything else (an empty string, `mmHg` of a pressure channel
 * that lead mapping drops anyway) is taken as millivolts, as WFDB's default unit is.
 */
export function readAmplitudeUnit(units: string): UnitReading {
  const key = units.trim().toLowerCase();
  if (NORMALISED.has(key)) return { unit: 'normalised', factor: 1 };
  return { unit: 'mV', factor: VOLTAGE_FACTORS.get(key) ?? 1 };
}
