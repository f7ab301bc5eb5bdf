/**
 * Which storage failures are the row's fault and which are the database's. PostgreSQL reports a
 * SQLSTATE `code` on every error (both drivers pass it through): classes 22 (data exception: a value out
 * of range, bad encoding) and 23 (integrity: a missing release, a NOT NULL) belong to a row and will
 * fail again however often it is retried; everything else (a connection lost, disk full in class 53, a
 * shutdown in 57) is the database's and passes, so the row must wait and be retried.
 */
export function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** The SQLSTATE of a database error, or undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
