import type { MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import { type Role, roleAllows, roleOfToken } from '../storage/tokens.js';

/** Variables the auth middleware sets on the Hono context. */
export interface AuthVariables {
  role: Role;
}

/**
 * Bearer-token middleware factory: `needed` is the least role allowed through. Missing or unknown
 * tokens are 401, a known token with too small a role is 403.
 */
export function requireRole(db: SqlDriver, needed: Role): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_-]{16,200})$/.exec(header);
    if (!match)
      throw new UnauthenticatedError(
        'send Authorization: Bearer <token> (create one with `heartline token`)',
      );
    const role = await roleOfToken(db, match[1]!);
    if (!role) throw new UnauthenticatedError('unknown bearer token');
    if (!roleAllows(role, needed)) throw new ForbiddenError(needed);
    c.set('role', role);
    await next();
  };
}
