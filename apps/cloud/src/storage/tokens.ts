import { randomBytes } from 'node:crypto';
import { newSecret, tokenHash } from '../security/secrets.js';
import type { SqlDriver } from './driver.js';

/**
 * Roles of bearer tokens, least privileged first: a clinician reads what a viewer reads and signs
 * reports; an operator runs the fleet and data; an admin also manages tokens and reads the audit log.
 */
export const ROLES = ['viewer', 'clinician', 'operator', 'admin'] as const;
/** One bearer-token role. */
export type Role = (typeof ROLES)[number];

/** Whether `role` includes the rights of `needed` (admin ⊃ operator ⊃ clinician ⊃ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Options of {@link createToken}. */
export interface TokenOptions {
  /** Free text shown in token lists (who or what holds it). */
  readonly label?: string | undefined;
  /** Lifetime in milliseconds; undefined: the token never expires. */
  readonly ttlMs?: number | undefined;
}

/** What is known about a token, never its hash. Times are ISO 8601. */
export interface TokenInfo {
  readonly id: string;
  readonly role: Role;
  readonly label: string | null;
  readonly created: string;
  /** When it stops working; null: never. */
  readonly expiresAt: string | null;
  /** When it was revoked; null: not revoked. */
  readonly revokedAt: string | null;
}

/** A bearer token (and the caller it belongs to) that the database accepted. */
export interface TokenHolder {
  readonly id: string;
  readonly role: Role;
}

/** Longest lifetime a token can be given (ten years): keeps the expiry a valid timestamp. */
export const MAX_TOKEN_TTL_MS = 10 * 365 * 24 * 3600 * 1000;

interface TokenRow {
  id: string;
  role: Role;
  label: string | null;
  created: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
}

const iso = (t: Date | string | null): string | null => (t === null ? null : new Date(t).toISOString());

function infoOf(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    role: row.role,
    label: row.label,
    created: iso(row.created)!,
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
  };
}

/**
 * Creates a bearer token with a role and an optional lifetime; returns the plain token (stored only as
 * its hash) with what is stored about it.
 */
export async function issueToken(
  db: SqlDriver,
  role: Role,
  options: TokenOptions = {},
): Promise<{ token: string; info: TokenInfo }> {
  const { ttlMs } = options;
  if (ttlMs !== undefined && !(Number.isInteger(ttlMs) && ttlMs > 0 && ttlMs <= MAX_TOKEN_TTL_MS)) {
    throw new RangeError(`a token lifetime is 1 ms to ten years, got ${ttlMs}`);
  }
  const token = newSecret('hlt_');
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO tokens (id, hash, role, label, expires_at)
     VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint IS NULL THEN NULL ELSE now() + $5::bigint * interval '1 millisecond' END)
     RETURNING id, role, label, created, expires_at, revoked_at`,
    [randomBytes(6).toString('hex'), tokenHash(token), role, options.label ?? null, ttlMs ?? null],
  );
  return { token, info: infoOf(rows[0]!) };
}

/** Creates a bearer token with a role; returns the plain token (stored only as its hash). */
export async function createToken(db: SqlDriver, role: Role, options: TokenOptions = {}): Promise<string> {
  return (await issueToken(db, role, options)).token;
}

/** The holder of a bearer token, or undefined for an unknown, expired or revoked one. */
export async function holderOfToken(db: SqlDriver, token: string): Promise<TokenHolder | undefined> {
  const { rows } = await db.query<TokenHolder>(
    `SELECT id, role FROM tokens
     WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [tokenHash(token)],
  );
  return rows[0];
}

/** The role of a bearer token, or undefined for an unknown, expired or revoked one. */
export async function roleOfToken(db: SqlDriver, token: string): Promise<Role | undefined> {
  return (await holderOfToken(db, token))?.role;
}

/** Every token, newest first (never the hashes). */
export async function listTokens(db: SqlDriver): Promise<TokenInfo[]> {
  const { rows } = await db.query<TokenRow>(
    'SELECT id, role, label, created, expires_at, revoked_at FROM tokens ORDER BY created DESC, id',
  );
  return rows.map(infoOf);
}

/**
 * Revokes a token from now on; revoking it again keeps the first time. Returns the token's info, or
 * undefined when no token has that id.
 */
export async function revokeToken(db: SqlDriver, id: string): Promise<TokenInfo | undefined> {
  const { rows } = await db.query<TokenRow>(
    `UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
     RETURNING id, role, label, created, expires_at, revoked_at`,
    [id],
  );
  return rows[0] && infoOf(rows[0]);
}
