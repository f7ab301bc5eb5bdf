import { describe, expect, it } from 'vitest';
import { DatasetError } from '../errors.js';
import { formatScpCodes, parseScpCodes } from './scp-codes.js';

describe('parseScpCodes', () => {
  it('reads a PTB-XL dict literal into code → likelihood', () => {
    expect(parseScpCodes("{'NORM': 100.0, 'SR': 0.0}")).toEqual({ NORM: 100, SR: 0 });
  });

  it('keeps codes with slashes, parentheses and underscores', () => {
    expect(parseScpCodes("{'LAO/LAE': 50.0, 'PRC(S)': 0.0, 'NST_': 15.0}")).toEqual({
      'LAO/LAE': 50,
      'PRC(S)': 0,
      NST_: 15,
    });
  });

  it('accepts an empty dict, double quotes, integers and a trailing comma', () => {
    expect(parseScpCodes('{}')).toEqual({});
    expect(parseScpCodes(' {"IMI": 80, } ')).toEqual({ IMI: 80 });
  });

  it.each([
    ["'NORM': 100.0", 'no braces'],
    ["{'NORM': 100.0", 'no closing brace'],
    ['{NORM: 100.0}', 'unquoted key'],
    ["{'NORM': high}", 'non-numeric value'],
    ["{'NORM' 100.0}", 'missing colon'],
    ["{'NORM': 100.0 'SR': 0.0}", 'missing comma'],
    ["{'NORM': 100.0, 'NORM': 50.0}", 'repeated key'],
    ["{'NORM': 100.0} x", 'text after the dict'],
    ['', 'empty string'],
  ])('throws DatasetError for %j (%s)', (literal) => {
    expect(() => parseScpCodes(literal, 'db.csv line 7')).toThrow(DatasetError);
    expect(() => parseScpCodes(literal, 'db.csv line 7')).toThrow(/^db\.csv line 7: malformed scp_codes/);
  });
});

describe('formatScpCodes', () => {
  it('writes the PTB-XL spelling and round-trips', () => {
    const codes = { IMI: 80, 'LAO/LAE': 50, SR: 0, X: 12.5 };
    expect(formatScpCodes(codes)).toBe("{'IMI': 80.0, 'LAO/LAE': 50.0, 'SR': 0.0, 'X': 12.5}");
    expect(parseScpCodes(formatScpCodes(codes))).toEqual(codes);
  });
});
