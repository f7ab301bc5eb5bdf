import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { addDevice, DEVICE_ID, listDevices } from '../../storage/devices.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';

/** Device registration (operator) and listing (viewer). */
export function deviceRoutes(api: OpenAPIHono<ApiEnv>, { db }: ApiContext): void {
  api.openapi(
    createRoute({
      method: 'post',
      path: '/devices',
      summary: 'register a device (or issue it a new secret); the secret is returned once',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'operator')] as const,
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                id: z.string().regex(DEVICE_ID),
                channel: z.string().regex(DEVICE_ID).default('stable'),
              }),
            },
          },
        },
      },
      responses: {
        201: {
          description: 'registered',
          content: { 'application/json': { schema: z.object({ id: z.string(), secret: z.string() }) } },
        },
      },
    }),
    async (c) => {
      const { id, channel } = c.req.valid('json');
      return c.json({ id, secret: await addDevice(db, id, channel) }, 201);
    },
  );
  api.openapi(
    createRoute({
      method: 'get',
      path: '/devices',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: {
          description: 'devices',
          content: {
            'application/json': {
              schema: z.object({
                devices: z.array(z.object({ id: z.string(), channel: z.string(), revoked: z.boolean() })),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const devices = (await listDevices(db)).map(({ id, channel, revoked }) => ({ id, channel, revoked }));
      return c.json({ devices }, 200);
    },
  );
}
