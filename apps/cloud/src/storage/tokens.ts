import { newSecret, tokenHash } from '../security/secrets.js';
import type { SqlDriver } from './driver.js';

/** Roles of bearer tokens, least privileged first. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** One bearer-token role. */
export type Role = (typeof ROLES)[number];

/** Whether `role` includes the rights of `needed` (admin ⊃ operator ⊃ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Creates a bearer token with a role; returns the plain token (stored only as its hash). */
export async function createToken(db: SqlDriver, role: Role, label?: string): Promise<string> {
  const token = newSecret('hlt_');
  await db.query('INSERT INTO tokens (id, hash, role, label) VALUES ($1, $2, $3, $4)', [
    newSecret().slice(0, 12),
    tokenHash(token),
    role,
    label ?? null,
  ]);
  return token;
}

/** The role of a bearer token, or undefined for an unknown one. */
export async function roleOfToken(db: SqlDriver, token: string): Promise<Role | undefined> {
  const { rows } = await db.query<{ role: Role }>('SELECT role FROM tokens WHERE hash = $1', [
    tokenHash(token),
  ]);
  return rows[0]?.role;
}
