import { describe, expect, it } from 'vitest';
import { signOffEditDistance } from './edit-distance.js';

describe('signOffEditDistance', () => {
  it('is 0 for the draft itself, whatever the order, case or end stop', () => {
    expect(
      signOffEditDistance(
        { statements: ['sinusrhythmus', 'linkstyp'], codes: ['SR'] },
        { statements: ['Linkstyp.', 'Sinusrhythmus'], codes: ['SR'] },
      ),
    ).toBe(0);
  });

  it('counts each statement removed or added and each code unticked or ticked', () => {
    expect(
      signOffEditDistance(
        { statements: ['sinusrhythmus', 'linkstyp'], codes: ['SR', 'NORM'] },
        { statements: ['sinusrhythmus', 'steiltyp'], codes: ['SR', 'LAFB'] },
      ),
    ).toBe(4);
  });
});
