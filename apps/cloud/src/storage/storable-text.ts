/**
 * Text as PostgreSQL's `text` stores it: no NUL (PostgreSQL refuses U+0000), no lone UTF-16 surrogate
 * (not encodable as UTF-8), at most `maxLength` characters. For details and topics that come from
 * outside (logs, rejection details, dead letters), never for values whose exact bytes matter.
 */
export function storableText(text: string, maxLength = 500): string {
  const clean = text.replaceAll('\u0000', '\\0').replace(/\p{Cs}/gu, '\uFFFD');
  return clean.length <= maxLength ? clean : `${clean.slice(0, maxLength - 1)}…`;
}
