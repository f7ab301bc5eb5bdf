/** Quotes one CSV field per RFC 4180: only when it holds a comma, quote, CR or LF; quotes are doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line (without the line break). */
export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}
