import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.js';
import { issueToken, listTokens, MAX_TOKEN_TTL_MS, ROLES, revokeToken } from '../../storage/tokens.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

const Token = z
  .object({
    id: z.string(),
    role: z.enum(ROLES),
    label: z.string().nullable(),
    created: z.string(),
    expiresAt: z.string().nullable().openapi({ description: 'null: never expires' }),
    revokedAt: z.string().nullable().openapi({ description: 'null: not revoked' }),
  })
  .openapi('Token');
const TokenRequest = z
  .strictObject({
    role: z.enum(ROLES),
    label: z.string().min(1).max(200).optional(),
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .max(MAX_TOKEN_TTL_MS / 1000)
      .optional()
      .openapi({ description: 'lifetime in seconds; absent: the token never expires' }),
  })
  .openapi('TokenRequest');
const TokenId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** `/tokens` (admin): list, mint (the plain token is answered once) and revoke bearer tokens. */
export function tokenRoutes(api: OpenAPIHono<ApiEnv>, { db }: ApiContext): void {
  const security = [{ bearer: [] }];
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/tokens',
      summary: 'every bearer token, newest first (never a token or its hash)',
      security,
      middleware: [requireRole(db, 'admin')] as const,
      responses: {
        200: {
          description: 'tokens',
          content: { 'application/json': { schema: z.object({ tokens: z.array(Token) }) } },
        },
      },
    }),
    async (c) => c.json({ tokens: await listTokens(db) }, 200),
  );
  api.openapi(
    createApiRoute({
      method: 'post',
      path: '/tokens',
      summary: 'mint a bearer token; the answer is the only time the plain token is shown',
      security,
      middleware: [requireRole(db, 'admin')] as const,
      request: { body: { content: { 'application/json': { schema: TokenRequest } }, required: true } },
      responses: {
        201: {
          description: 'the new token and what is stored about it',
          content: { 'application/json': { schema: Token.extend({ token: z.string() }) } },
        },
      },
    }),
    async (c) => {
      const { role, label, ttlSeconds } = c.req.valid('json');
      const { token, info } = await issueToken(db, role, {
        label,
        ttlMs: ttlSeconds === undefined ? undefined : ttlSeconds * 1000,
      });
      return c.json({ ...info, token }, 201);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'delete',
        path: '/tokens/{id}',
        summary: 'revoke a token: it stops working at once (revoking twice keeps the first time)',
        security,
        middleware: [requireRole(db, 'admin')] as const,
        request: { params: z.object({ id: TokenId }) },
        responses: {
          200: { description: 'the revoked token', content: { 'application/json': { schema: Token } } },
        },
      },
      404,
    ),
    async (c) => {
      const id = c.req.valid('param').id;
      const revoked = await revokeToken(db, id);
      if (!revoked) throw new NotFoundError('token', id);
      return c.json(revoked, 200);
    },
  );
}
