/**
 * The audit log: every changing request (not GET or HEAD) made with a bearer token, who made it (token id
 * and role), what it was (method, route, path) and how it ended (status). Written by the HTTP layer.
 */
import type { AuditEntry as StoredAuditEntry } from '../http/routes/audit.js';
import type { SqlDriver } from './driver.js';
import type { Role } from './tokens.js';

/** An audited request as stored (`GET /audit` lists them): with its id and time (ISO 8601). */
export type { StoredAuditEntry };

/** One audited request: who (token id and role), what (method, route pattern, path called), outcome. */
export type AuditEntry = Omit<StoredAuditEntry, 'id' | 'time'>;

/** Longest `target` stored; longer paths are cut (paths come from callers). */
const MAX_TARGET = 2048;

/** Appends one entry. */
export async function appendAudit(db: SqlDriver, entry: AuditEntry): Promise<void> {
  await db.query(
    'INSERT INTO audit_log (token_id, role, method, route, target, status) VALUES ($1, $2, $3, $4, $5, $6)',
    [entry.tokenId, entry.role, entry.method, entry.route, entry.target.slice(0, MAX_TARGET), entry.status],
  );
}

/**
 * A page of entries, newest first: at most `limit`, only those older than the entry `before` (an id from
 * a previous page) when given. `next` is the `before` of the following page, undefined on the last one.
 */
export async function listAudit(
  db: SqlDriver,
  { limit, before }: { limit: number; before?: number | undefined },
): Promise<{ entries: StoredAuditEntry[]; next: number | undefined }> {
  const { rows } = await db.query<{
    id: string | number;
    token_id: string;
    role: Role;
    method: string;
    route: string;
    target: string;
    status: number;
    created: Date | string;
  }>(
    `SELECT id, token_id, role, method, route, target, status, created FROM audit_log
     WHERE $1::bigint IS NULL OR id < $1::bigint ORDER BY id DESC LIMIT $2`,
    [before ?? null, limit + 1],
  );
  const entries = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    tokenId: r.token_id,
    role: r.role,
    method: r.method,
    route: r.route,
    target: r.target,
    status: r.status,
    time: new Date(r.created).toISOString(),
  }));
  return { entries, next: rows.length > limit ? entries.at(-1)?.id : undefined };
}
