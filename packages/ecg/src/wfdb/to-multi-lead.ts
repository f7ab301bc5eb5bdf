import { SignalShapeError } from '../errors.js';
import { readAmplitudeUnit } from '../signal/amplitude-unit.js';
import type { MultiLeadSignal } from '../signal/multi-lead-signal.js';
import type { DecodedWfdbRecord } from './decode.js';

/**
 * The physical view of a decoded record as a `MultiLeadSignal` with the header's raw signal
 * descriptions as lead names (`signal N` when empty). Signals with more samples per frame than the
 * others cannot share one rate, so such records throw `SignalShapeError`. Voltages are converted to mV
 * (a record in µV reads as mV); `NU` signals keep their values and are marked `normalised`.
 */
export function wfdbToMultiLeadSignal(record: DecodedWfdbRecord): MultiLeadSignal {
  const first = record.signals[0];
  const rate = first?.sampleRate ?? record.header.samplingFrequency;
  for (const s of record.signals) {
    if (s.sampleRate !== rate) {
      throw new SignalShapeError(
        `${record.header.source}: signal '${s.spec.description}' runs at ${s.sampleRate} Hz but '${first?.spec.description}' at ${rate} Hz; a multi-lead signal needs one rate`,
      );
    }
  }
  const readings = record.signals.map((s) => readAmplitudeUnit(s.spec.units));
  return {
    sampleRate: rate,
    leadNames: record.signals.map((s, i) =>
      s.spec.description.length > 0 ? s.spec.description : `signal ${i}`,
    ),
    leads: record.signals.map((s, i) => inMillivolts(s.physical, readings[i]!.factor)),
    units: readings.map((r) => r.unit),
  };
}

function inMillivolts(physical: Float32Array, factor: number): Float32Array {
  if (factor === 1) return physical;
  const out = new Float32Array(physical.length);
  for (let i = 0; i < physical.length; i++) out[i] = physical[i]! * factor;
  return out;
}
