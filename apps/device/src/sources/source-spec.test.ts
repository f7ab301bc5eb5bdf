import { InvalidArgumentError } from '@heartline/model/errors';
import { describe, expect, it } from 'vitest';
import { parseSourceSpec } from './source-spec.js';

describe('parseSourceSpec', () => {
  it('reads wfdb:PATH and ptbxl:DIR, keeping colons inside the path', () => {
    expect(parseSourceSpec('wfdb:data/100')).toEqual({ kind: 'wfdb', path: 'data/100' });
    expect(parseSourceSpec('ptbxl:/x/y:z')).toEqual({ kind: 'ptbxl', dir: '/x/y:z' });
  });

  it('reads synthetic with no seed, a numeric seed, a text seed and codes', () => {
    expect(parseSourceSpec('synthetic')).toEqual({ kind: 'synthetic', seed: 1 });
    expect(parseSourceSpec('synthetic:42')).toEqual({ kind: 'synthetic', seed: 42 });
    expect(parseSourceSpec('synthetic:ward-3')).toEqual({ kind: 'synthetic', seed: 'ward-3' });
    expect(parseSourceSpec('synthetic:7:afib,LVH')).toEqual({
      kind: 'synthetic',
      seed: 7,
      conditions: ['AFIB', 'LVH'],
    });
  });

  const bad: [string, RegExp][] = [
    ['', /expected wfdb:PATH/],
    ['mic:1', /expected wfdb:PATH/],
    ['wfdb:', /wfdb needs a path/],
    ['ptbxl', /ptbxl needs a path/],
    ['synthetic:1:NORM:extra', /expected wfdb:PATH/],
    ['synthetic::NORM', /expected wfdb:PATH/],
    ['synthetic:1:NOPE', /unknown SCP code NOPE/],
  ];
  for (const [spec, message] of bad) {
    it(`throws InvalidArgumentError for '${spec}'`, () => {
      expect(() => parseSourceSpec(spec)).toThrow(InvalidArgumentError);
      expect(() => parseSourceSpec(spec)).toThrow(message);
    });
  }
});
