import { CsvError } from '../errors.js';

/** A parsed CSV file: the header row, the data rows, and the physical line each data row starts on. */
export interface CsvTable {
  /** Field names of the first record. */
  readonly header: readonly string[];
  /** Data records (header excluded); every row has `header.length` fields. */
  readonly rows: readonly string[][];
  /** 1-based physical line on which each data row starts (embedded newlines make this differ from index + 2). */
  readonly lines: readonly number[];
}

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /** Name of the file or stream, used in error messages. Default `'<csv>'`. */
  readonly source?: string;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Parses RFC 4180 CSV: quoted fields with commas, doubled quotes and embedded newlines; CRLF or LF line
 * ends; a leading byte-order mark; blank lines skipped. The first record is the header and every other
 * record must have as many fields. Malformed input throws {@link CsvError} naming the source and line.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  const source = options.source ?? '<csv>';
  const records: string[][] = [];
  const lines: number[] = [];
  forEachRecord(text, source, (fields, line) => {
    records.push(fields);
    lines.push(line);
  });
  const header = records[0];
  if (header === undefined) throw new CsvError(source, 'file is empty: expected a header row');
  const width = header.length;
  for (let r = 1; r < records.length; r++) {
    const n = records[r]!.length;
    if (n !== width) {
      throw new CsvError(
        source,
        `line ${lines[r]}: expected ${width} fields (as in the header), found ${n}; quote fields that contain commas`,
      );
    }
  }
  return { header, rows: records.slice(1), lines: lines.slice(1) };
}

/**
 * Calls `onRecord` with each record's fields and the 1-based line it starts on. Scans char codes and
 * slices whole fields at once, so an MB-sized file costs one pass and one string per field.
 */
function forEachRecord(
  text: string,
  source: string,
  onRecord: (fields: string[], line: number) => void,
): void {
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < n) {
    const c0 = text.charCodeAt(pos);
    // A blank line is not a record: PTB-XL-style files never mean "one empty field" by it.
    if (c0 === LF || c0 === CR) {
      pos += c0 === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
      line++;
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(pos) === QUOTE) {
        const fieldLine = line;
        let chunkStart = pos + 1;
        let parts = '';
        for (;;) {
          const q = text.indexOf('"', chunkStart);
          if (q < 0) {
            throw new CsvError(
              source,
              `line ${fieldLine}: unterminated quoted field (no closing '"' before end of file)`,
            );
          }
          const chunk = text.slice(chunkStart, q);
          line += countNewlines(chunk);
          if (text.charCodeAt(q + 1) === QUOTE) {
            parts += `${chunk}"`;
            chunkStart = q + 2;
            continue;
          }
          parts += chunk;
          pos = q + 1;
          break;
        }
        value = parts;
        const after = pos < n ? text.charCodeAt(pos) : COMMA;
        if (after !== COMMA && after !== LF && after !== CR) {
          throw new CsvError(
            source,
            `line ${line}: unexpected ${JSON.stringify(text[pos])} after a closing quote; a quote inside a quoted field must be doubled ("")`,
          );
        }
      } else {
        const start = pos;
        while (pos < n) {
          const c = text.charCodeAt(pos);
          if (c === COMMA || c === LF || c === CR) break;
          pos++;
        }
        value = text.slice(start, pos);
      }
      fields.push(value);
      if (pos >= n) break;
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        // A comma right before the end of input or a line end still delimits a final empty field.
        continue;
      }
      pos += c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    onRecord(fields, startLine);
  }
}

function countNewlines(s: string): number {
  let count = 0;
  let i = s.indexOf('\n');
  while (i >= 0) {
    count++;
    i = s.indexOf('\n', i + 1);
  }
  // A lone CR (old Mac line end) inside a quoted field counts too; CRLF counts once via its LF.
  if (count === 0 && s.includes('\r')) {
    for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) === CR) count++;
  }
  return count;
}

/**
 * Maps each required column to its index in `header`; throws {@link CsvError} listing every missing column
 * (not just the first), so a user fixes the file in one go.
 */
export function requireColumns<C extends string>(
  header: readonly string[],
  columns: readonly C[],
  source: string,
): Record<C, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  const missing = columns.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new CsvError(
      source,
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (header has: ${header.join(', ')})`,
    );
  }
  const out = {} as Record<C, number>;
  for (const c of columns) out[c] = index.get(c)!;
  return out;
}

/** A value {@link stringifyCsv} can write: null and undefined become empty fields. */
export type CsvValue = string | number | boolean | null | undefined;

/** Options of {@link stringifyCsv}. */
export interface StringifyCsvOptions {
  /** Record separator. Default `'\n'` (RFC 4180 says CRLF; pass `'\r\n'` for strict consumers). */
  readonly newline?: '\n' | '\r\n';
}

/** Writes rows as CSV, quoting only fields that need it (comma, quote, CR, LF); ends with a newline. */
export function stringifyCsv(
  rows: readonly (readonly CsvValue[])[],
  options: StringifyCsvOptions = {},
): string {
  const newline = options.newline ?? '\n';
  let out = '';
  for (const row of rows) {
    // A one-field row holding '' would print as a blank line, which the parser skips: quote it.
    if (row.length === 1 && (row[0] ?? '') === '') out += '""';
    else {
      for (let i = 0; i < row.length; i++) {
        if (i > 0) out += ',';
        out += formatField(row[i]);
      }
    }
    out += newline;
  }
  return out;
}

const NEEDS_QUOTES = /[",\r\n]/;

function formatField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
