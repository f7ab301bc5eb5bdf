import { SignalShapeError } from '../errors.js';
import type { MultiLeadSignal } from '../signal/multi-lead-signal.js';
import type { DecodedWfdbRecord } from './decode.js';

/**
 * The physical view of a decoded record as a `MultiLeadSignal` with the header's raw signal
 * descriptions as lead names (`signal N` when empty). Signals with more samples per frame than the
 * others cannot share one rate, so such records throw `SignalShapeError`.
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
  return {
    sampleRate: rate,
    leadNames: record.signals.map((s, i) =>
      s.spec.description.length > 0 ? s.spec.description : `signal ${i}`,
    ),
    leads: record.signals.map((s) => s.physical),
  };
}
