import { describe, expect, it } from 'vitest';
import { normaliseStatement, splitStatements } from './statements.js';

describe('splitStatements', () => {
  it('splits a German report at commas and full stops, in order, without the machine flag', () => {
    expect(
      splitStatements(
        'Sinusrhythmus. Linkstyp. ST & T abnorm, wahrscheinlich anteriore Ischämie 4.46 unbestätigter Bericht',
      ),
    ).toEqual(['sinusrhythmus', 'linkstyp', 'st & t abnorm', 'wahrscheinlich anteriore ischämie']);
  });

  it('keeps decimals whole, drops repeats and the edit note', () => {
    expect(splitStatements('sinus rhythm, qtc 0.48 s. sinus rhythm. Edit: NORM 100')).toEqual([
      'sinus rhythm',
      'qtc 0.48 s',
    ]);
  });

  it('gives nothing for an empty report', () => {
    expect(splitStatements('  ,. ')).toEqual([]);
  });
});

describe('normaliseStatement', () => {
  it('lower-cases, spells ß as ss and drops the end stop', () => {
    expect(normaliseStatement('  Mässige  Größe. ')).toBe('mässige grösse');
  });
});
