import type { MiddlewareHandler } from 'hono';
import { UnauthenticatedError } from '../errors.js';
import type { AuthenticateDevice } from '../security/device-authenticator.js';
import type { SqlDriver } from '../storage/driver.js';
import { type AuthVariables, authenticate, TOKEN_FORM } from './auth.js';

/**
 * Lets through a dashboard user (a bearer token of at least `viewer`) or a registered, unrevoked device
 * (HTTP Basic with its id and secret, checked with the same constant-time work as its MQTT login).
 * Anything else is 401, the same for an unknown device and a wrong secret. For the model files devices
 * download: they are signed and public in content, but only the fleet and its users should fetch them.
 */
export function requireViewerOrDevice(
  db: SqlDriver,
  authenticateDevice: AuthenticateDevice | undefined,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const bearer = /^Bearer (\S+)$/.exec(header);
    if (bearer && TOKEN_FORM.test(bearer[1]!)) {
      await authenticate(c, db, bearer[1]!, 'viewer');
      await next();
      return;
    }
    const basic = /^Basic ([A-Za-z0-9+/=]{1,400})$/.exec(header);
    if (basic && authenticateDevice) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0 && (await authenticateDevice(decoded.slice(0, colon), decoded.slice(colon + 1)))) {
        await next();
        return;
      }
      throw new UnauthenticatedError('unknown device or wrong secret');
    }
    throw new UnauthenticatedError(
      'send Authorization: Bearer <token> (dashboard users) or Basic <device id:secret> (devices)',
    );
  };
}
