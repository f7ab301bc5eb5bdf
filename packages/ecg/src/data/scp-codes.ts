import { DatasetError } from '../errors.js';

/** SCP-ECG statement codes of one record with their likelihood in % (0 means "stated, likelihood unknown"). */
export type ScpCodes = Record<string, number>;

/**
 * Parses PTB-XL's `scp_codes` column, a Python dict literal such as `{'NORM': 100.0, 'SR': 0.0}`, into
 * code → likelihood. Keys may use single or double quotes; `{}` is an empty record. Anything else (a
 * missing brace, an unquoted key, a non-numeric value, a repeated key) throws {@link DatasetError}
 * naming `source` and quoting the literal.
 */
export function parseScpCodes(literal: string, source = 'scp_codes'): ScpCodes {
  const s = literal.trim();
  const fail = (at: number, what: string): never => {
    throw new DatasetError(
      source,
      `malformed scp_codes ${JSON.stringify(literal)}: ${what} at character ${at + 1}`,
    );
  };
  const out: ScpCodes = {};
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  if (s[i] !== '{') fail(i, "expected '{'");
  i++;
  skipSpace();
  if (s[i] === '}') {
    i++;
  } else {
    for (;;) {
      skipSpace();
      const quote = s[i];
      if (quote !== "'" && quote !== '"') fail(i, 'expected a quoted code');
      const end = s.indexOf(quote as string, i + 1);
      if (end < 0) fail(i, 'unterminated code string');
      const key = s.slice(i + 1, end);
      if (key.length === 0) fail(i, 'empty code');
      if (Object.hasOwn(out, key)) fail(i, `code '${key}' repeated`);
      i = end + 1;
      skipSpace();
      if (s[i] !== ':') fail(i, "expected ':'");
      i++;
      skipSpace();
      const numStart = i;
      while (i < s.length && /[0-9eE.+-]/.test(s[i]!)) i++;
      const text = s.slice(numStart, i);
      const value = Number(text);
      if (text.length === 0 || !Number.isFinite(value)) fail(numStart, 'expected a number');
      out[key] = value;
      skipSpace();
      if (s[i] === ',') {
        i++;
        skipSpace();
        // Python allows a trailing comma before the closing brace.
        if (s[i] === '}') {
          i++;
          break;
        }
        continue;
      }
      if (s[i] === '}') {
        i++;
        break;
      }
      fail(i, "expected ',' or '}'");
    }
  }
  if (i !== s.length) fail(i, "unexpected text after '}'");
  return out;
}

/** Formats codes back as PTB-XL writes them (`{'NORM': 100.0, 'SR': 0.0}`), for generated datasets. */
export function formatScpCodes(codes: ScpCodes): string {
  const parts = Object.entries(codes).map(
    ([code, v]) => `'${code}': ${Number.isInteger(v) ? v.toFixed(1) : v}`,
  );
  return `{${parts.join(', ')}}`;
}
