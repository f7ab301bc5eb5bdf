import { DeviceCommandBody } from '@heartline/contract';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.js';
import { registerDevice, revokeDevice, rotateDeviceSecret } from '../../security/device-credentials.js';
import { listFleet } from '../../storage/device-states.js';
import { DEVICE_ID, listDevices } from '../../storage/devices.js';
import type { ApiContext, ApiEnv } from '../app.js';
import { requireRole } from '../auth.js';
import { createApiRoute } from '../error-schema.js';

/** One device of `GET /fleet`: its registration and the last state it published (null fields when none). */
export const FleetDevice = z
  .object({
    id: z.string(),
    channel: z.string(),
    revoked: z.boolean(),
    online: z.boolean(),
    release: z.string().nullable(),
    previousRelease: z.string().nullable(),
    encoded: z.number().nullable(),
    sent: z.number().nullable(),
    queued: z.number().nullable(),
    dropped: z.number().nullable(),
    lastWindowT0: z.string().nullable().openapi({ description: 'ISO time of the last window start' }),
    quality: z.number().nullable(),
    update: z.record(z.string(), z.unknown()).nullable().openapi({
      description: "the device's last model-update event (kind: installed, refused, rolled-back…)",
    }),
    lastSeen: z.string().nullable().openapi({ description: 'ISO time of the last state message received' }),
  })
  .openapi('FleetDevice');
export type FleetDevice = z.infer<typeof FleetDevice>;
/** One registered device of `GET /devices` (no live state). */
export const RegisteredDevice = z
  .object({ id: z.string(), channel: z.string(), revoked: z.boolean() })
  .openapi('RegisteredDevice');
export type RegisteredDevice = z.infer<typeof RegisteredDevice>;
/** `GET /fleet` and `GET /devices`, by id. */
export const FleetList = z.object({ devices: z.array(FleetDevice) });
export type FleetList = z.infer<typeof FleetList>;
export const DeviceList = z.object({ devices: z.array(RegisteredDevice) });
export type DeviceList = z.infer<typeof DeviceList>;

/** `POST /devices/{id}/commands`: the command's id (the device reports it in its state) and topic. */
export const SentCommand = z
  .object({
    id: z
      .string()
      .openapi({ description: "the command's id, echoed in the device's state (lastCommand.id)" }),
    deviceId: z.string(),
    topic: z.string().openapi({ description: 'hl/v1/dev/{id}/cmd' }),
  })
  .openapi('SentCommand');
export type SentCommand = z.infer<typeof SentCommand>;

/** Device registration and commands (operator), listing and fleet state (viewer). */
export function deviceRoutes(api: OpenAPIHono<ApiEnv>, { db, commands }: ApiContext): void {
  api.openapi(
    createApiRoute({
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
                channel: z.string().regex(DEVICE_ID).optional().openapi({
                  description:
                    'a new device: its channel (default stable); a known one keeps its own unless given',
                }),
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
      // A known id gets a new secret: its sessions with the old one are closed.
      return c.json({ id, secret: await registerDevice(db, id, channel) }, 201);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/devices/{id}/revoke',
        summary: 'revoke a device: its broker sessions are closed at once and its logins refused',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        request: { params: z.object({ id: z.string() }) },
        responses: {
          200: {
            description: 'revoked',
            content: {
              'application/json': { schema: z.object({ id: z.string(), revoked: z.literal(true) }) },
            },
          },
        },
      },
      404,
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await revokeDevice(db, id))) throw new NotFoundError('device', id);
      return c.json({ id, revoked: true as const }, 200);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/devices/{id}/rotate-secret',
        summary: 'a new secret for a device (returned once); the old one stops working, its sessions close',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        request: { params: z.object({ id: z.string() }) },
        responses: {
          200: {
            description: 'new secret',
            content: { 'application/json': { schema: z.object({ id: z.string(), secret: z.string() }) } },
          },
        },
      },
      404,
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const secret = await rotateDeviceSecret(db, id);
      if (secret === undefined) throw new NotFoundError('device', id);
      return c.json({ id, secret }, 200);
    },
  );
  api.openapi(
    createApiRoute(
      {
        method: 'post',
        path: '/devices/{id}/commands',
        summary:
          'send a command on the device’s cmd topic (QoS 1): rollback, assign-channel (also stored as its channel), resend',
        description:
          'Published once, to a live session: a device offline at that moment does not receive it (an assigned channel is stored all the same). The device reports the outcome in its state (lastCommand).',
        security: [{ bearer: [] }],
        middleware: [requireRole(db, 'operator')] as const,
        request: {
          params: z.object({ id: z.string() }),
          body: { content: { 'application/json': { schema: DeviceCommandBody } } },
        },
        responses: {
          202: { description: 'published', content: { 'application/json': { schema: SentCommand } } },
        },
      },
      404,
      409,
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const sent = await commands.send(id, c.req.valid('json'));
      return c.json({ id: sent.id, deviceId: sent.deviceId, topic: sent.topic }, 202);
    },
  );
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/devices',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: {
          description: 'devices',
          content: {
            'application/json': {
              schema: DeviceList,
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
  api.openapi(
    createApiRoute({
      method: 'get',
      path: '/fleet',
      summary: 'every device with the last state it published (retained on hl/v1/dev/{id}/state)',
      security: [{ bearer: [] }],
      middleware: [requireRole(db, 'viewer')] as const,
      responses: {
        200: {
          description: 'fleet',
          content: { 'application/json': { schema: FleetList } },
        },
      },
    }),
    async (c) => c.json({ devices: await listFleet(db) }, 200),
  );
}
