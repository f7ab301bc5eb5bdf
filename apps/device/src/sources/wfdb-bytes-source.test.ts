import { WfdbDataError } from '@heartline/ecg/errors';
import { encodeWfdbRecord } from '@heartline/ecg/wfdb';
import { InvalidArgumentError } from '@heartline/model/errors';
import { describe, expect, it } from 'vitest';
import { wfdbBytesSource } from './wfdb-bytes-source.js';

/** A 2-lead record at 100 Hz of `seconds`, lead I a ramp, lead II its negative (digital, gain 200/mV). */
function record(seconds: number) {
  const n = seconds * 100;
  const ramp = Int16Array.from({ length: n }, (_, i) => i % 400);
  return encodeWfdbRecord({
    recordName: 'rec1',
    sampleRate: 100,
    signals: [
      { name: 'I', units: 'mV', gain: 200, digital: ramp },
      { name: 'II', units: 'mV', gain: 200, digital: ramp.map((v) => -v) },
    ],
  });
}

function files(r: ReturnType<typeof record>): Map<string, Uint8Array> {
  return new Map([
    ['rec1.hea', new TextEncoder().encode(r.header)],
    [r.dataFileName, r.data],
  ]);
}

describe('wfdbBytesSource', () => {
  it('replays an in-memory record as whole 10 s windows in physical units', async () => {
    const source = wfdbBytesSource(files(record(25)));
    const windows = [];
    for await (const w of source.windows()) windows.push(w);
    expect(windows).toHaveLength(2);
    const second = windows[1]!;
    expect(second.signal.leadNames).toEqual(['I', 'II']);
    expect(second.signal.leads[0]!.length).toBe(1000);
    // Window 1 starts at sample 1000: digital 1000 % 400 = 200 → 1 mV.
    expect(second.signal.leads[0]![0]).toBeCloseTo(1, 6);
    expect(second.signal.leads[1]![0]).toBeCloseTo(-1, 6);
    expect(second.t0 - windows[0]!.t0).toBe(10_000);
  });

  it('names the missing signal file, and refuses file sets without one header', () => {
    const r = record(12);
    expect(() => wfdbBytesSource(new Map([['rec1.hea', new TextEncoder().encode(r.header)]]))).toThrow(
      WfdbDataError,
    );
    expect(() => wfdbBytesSource(new Map([[r.dataFileName, r.data]]))).toThrow(InvalidArgumentError);
  });

  it('refuses a record shorter than one window', () => {
    expect(() => wfdbBytesSource(files(record(5)))).toThrow(/shorter than one 10 s window/);
  });
});
