import { describe, expect, it } from 'vitest';
import {
  CsvError,
  DatasetError,
  FhirError,
  HeartlineError,
  InvalidArgumentError,
  SignalShapeError,
  WfdbDataError,
  WfdbHeaderError,
  WfdbUnsupportedError,
} from './errors.js';

describe('ECG data errors', () => {
  const cases: [HeartlineError, string][] = [
    [new WfdbHeaderError('r.hea', 2, 'bad gain'), 'WFDB_HEADER'],
    [new WfdbUnsupportedError('r.hea', 'format 508'), 'WFDB_UNSUPPORTED'],
    [new WfdbDataError('r.dat', 'truncated'), 'WFDB_DATA'],
    [new CsvError('x.csv', 'no ecg_id column'), 'CSV'],
    [new DatasetError('ptbxl', 'no records'), 'DATASET'],
    [new SignalShapeError('12 leads expected'), 'SIGNAL_SHAPE'],
    [new InvalidArgumentError('fs', 0, 'must be > 0'), 'INVALID_ARGUMENT'],
    [new FhirError('obs', ['no code']), 'FHIR'],
  ];

  it.each(cases)('%s carries its stable code', (error, code) => {
    expect(error).toBeInstanceOf(HeartlineError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('EOF');
    expect(new WfdbDataError('r.dat', 'truncated', { cause }).cause).toBe(cause);
  });
});
