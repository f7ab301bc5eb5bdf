import { describe, expect, it } from 'vitest';
import { CsvError } from '../errors.js';
import { parseCsv, requireColumns, stringifyCsv } from './csv.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('parseCsv', () => {
  it('splits a plain file into header and rows', () => {
    const t = parseCsv('a,b,c\n1,2,3\n4,5,6\n');
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    expect(t.lines).toEqual([2, 3]);
  });

  it('keeps commas inside quoted fields', () => {
    const t = parseCsv('id,report\n1,"sinus rhythm, normal ecg"\n');
    expect(t.rows[0]).toEqual(['1', 'sinus rhythm, normal ecg']);
  });

  it('turns doubled quotes into one quote', () => {
    const t = parseCsv(`id,codes\n7,"{'NORM': 100.0} ""quoted"""\n`);
    expect(t.rows[0]).toEqual(['7', `{'NORM': 100.0} "quoted"`]);
  });

  it('keeps newlines inside quoted fields and reports the starting line of each row', () => {
    const t = parseCsv('id,text\n1,"line one\nline two\r\nline three"\n2,x\n');
    expect(t.rows[0]).toEqual(['1', 'line one\nline two\r\nline three']);
    expect(t.rows[1]).toEqual(['2', 'x']);
    // Row 1 starts on line 2 and spans 3 physical lines, so row 2 starts on line 5.
    expect(t.lines).toEqual([2, 5]);
  });

  it('accepts CRLF line ends', () => {
    const t = parseCsv('a,b\r\n1,2\r\n3,4\r\n');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('strips a leading byte-order mark from the first header name', () => {
    const t = parseCsv('\uFEFFecg_id,age\n1,56\n');
    expect(t.header[0]).toBe('ecg_id');
  });

  it('keeps empty fields, including leading, trailing and quoted empty ones', () => {
    const t = parseCsv(',b,,d\n,"",,\n');
    expect(t.header).toEqual(['', 'b', '', 'd']);
    expect(t.rows[0]).toEqual(['', '', '', '']);
  });

  it('does not need a trailing newline and skips blank lines', () => {
    const t = parseCsv('a,b\n\n1,2\n\n3,4');
    expect(t.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(t.lines).toEqual([3, 5]);
  });

  it('throws CsvError naming the source and line for an unterminated quote', () => {
    // Input tried: the quote opened on line 3 is never closed.
    const e = thrown(() => parseCsv('a,b\n1,2\n3,"open\n4,5\n', { source: 'db.csv' }));
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).source).toBe('db.csv');
    expect((e as CsvError).message).toMatch(/^db\.csv: line 3: unterminated/);
  });

  it('throws CsvError naming the line for a row with the wrong field count', () => {
    // Input tried: header of 3 fields, line 3 has 4 because of an unquoted comma.
    const e = thrown(() => parseCsv('a,b,c\n1,2,3\n1,sinus, normal,3\n', { source: 'x.csv' }));
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).message).toContain('x.csv: line 3: expected 3 fields');
    expect((e as CsvError).message).toContain('found 4');
  });

  it('throws CsvError for text after a closing quote', () => {
    // Input tried: `"ab"c` (a stray quote that should have been doubled).
    const e = thrown(() => parseCsv('a\n"ab"c\n', { source: 'q.csv' }));
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).message).toMatch(/^q\.csv: line 2: unexpected "c"/);
  });

  it('throws CsvError for an empty file', () => {
    // Input tried: '' and a file holding only a BOM and newlines.
    expect(() => parseCsv('')).toThrow(CsvError);
    expect(() => parseCsv('\uFEFF\n\n')).toThrow(/empty/);
  });

  it('parses a multi-megabyte file (40,000 rows with quoted fields)', () => {
    const row =
      '1,17787.0,"tachykardes vorhofflimmern, lagetyp normal","{\'AFLT\': 100.0, \'AFIB\': 0.0}",8\n';
    const n = 40_000;
    const text = `a,b,c,d,e\n${row.repeat(n)}`;
    expect(text.length).toBeGreaterThan(3_000_000);
    const t = parseCsv(text);
    expect(t.rows.length).toBe(n);
    expect(t.rows[n - 1]![3]).toBe("{'AFLT': 100.0, 'AFIB': 0.0}");
  });
});

describe('requireColumns', () => {
  it('maps each required column to its index', () => {
    expect(requireColumns(['x', 'ecg_id', 'report'], ['report', 'ecg_id'], 's')).toEqual({
      report: 2,
      ecg_id: 1,
    });
  });

  it('throws CsvError listing every missing column', () => {
    // Input tried: a header lacking both 'scp_codes' and 'strat_fold'.
    const e = thrown(() =>
      requireColumns(['ecg_id', 'report'], ['ecg_id', 'scp_codes', 'strat_fold'], 'db.csv'),
    );
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).message).toContain("'scp_codes'");
    expect((e as CsvError).message).toContain("'strat_fold'");
    expect((e as CsvError).message).not.toContain("'ecg_id'");
  });
});

describe('stringifyCsv', () => {
  it('quotes only the fields that need it', () => {
    expect(stringifyCsv([['a', 'b,c', 'say "hi"', 'two\nlines', 3, null, true]])).toBe(
      'a,"b,c","say ""hi""","two\nlines",3,,true\n',
    );
  });

  it('round-trips through parseCsv', () => {
    const rows = [
      ['id', 'text', 'empty'],
      ['1', 'x, "y"\r\nz', ''],
      ['2', '', 'ü'],
    ];
    const t = parseCsv(stringifyCsv(rows, { newline: '\r\n' }));
    expect([t.header, ...t.rows]).toEqual(rows);
  });

  it('keeps a one-column row with an empty value as a record', () => {
    const t = parseCsv(stringifyCsv([['h'], [''], ['x']]));
    expect(t.rows).toEqual([[''], ['x']]);
  });
});
