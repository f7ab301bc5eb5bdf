import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import { holderOfToken, type Role, roleAllows } from '../storage/tokens.js';

/** Variables the auth middleware sets on the Hono context. */
export interface AuthVariables {
  role: Role;
  /** The id of the caller's token (for the audit log; never the token). */
  tokenId: string;
}

/** The form of a bearer token (the random body is base64url). */
export const TOKEN_FORM = /^[A-Za-z0-9_-]{16,200}$/;

/**
 * Checks a bearer token and sets the caller's role and token id on the context. Unknown, expired and
 * revoked tokens get the same 401 (a caller learns nothing about which); a token with too small a role
 * gets 403.
 */
export async function authenticate(
  c: Context<{ Variables: AuthVariables }>,
  db: SqlDriver,
  token: string,
  needed: Role,
): Promise<void> {
  const holder = await holderOfToken(db, token);
  if (!holder) throw new UnauthenticatedError('unknown, expired or revoked bearer token');
  c.set('role', holder.role);
  c.set('tokenId', holder.id);
  if (!roleAllows(holder.role, needed)) throw new ForbiddenError(needed);
}

/** The least role of each middleware {@link requireRole} made, for the OpenAPI document's 403s. */
const ROLE_OF = new WeakMap<object, Role>();

/** The least role `middleware` lets through, if {@link requireRole} made it. */
export function roleOfMiddleware(middleware: object): Role | undefined {
  return ROLE_OF.get(middleware);
}

/**
 * Bearer-token middleware factory: `needed` is the least role allowed through. Missing, unknown, expired
 * or revoked tokens are 401, a valid token with too small a role is 403.
 */
export function requireRole(db: SqlDriver, needed: Role): MiddlewareHandler<{ Variables: AuthVariables }> {
  const middleware: MiddlewareHandler<{ Variables: AuthVariables }> = async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || !TOKEN_FORM.test(match[1]!))
      throw new UnauthenticatedError(
        'send Authorization: Bearer <token> (create one with `heartline token`)',
      );
    await authenticate(c, db, match[1]!, needed);
    await next();
  };
  ROLE_OF.set(middleware, needed);
  return middleware;
}
