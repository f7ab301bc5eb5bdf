/**
 * The state message a device publishes retained on `hl/v1/dev/{id}/state` (JSON; written by the
 * device's `device-state.ts`), validated at the cloud's edge. The offline last will carries only
 * `deviceId`, `online: false`, `status` and `reason`, so every counter is optional.
 */
import { z } from 'zod';

const Text = z.string().max(2000);
const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ReleaseId = z.string().min(1).max(128);

/** The device's last model-update event (the device's `UpdateEvent`). */
export const UpdateEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('installed'), release: ReleaseId, previous: ReleaseId.optional() }),
  z.object({
    kind: z.literal('refused'),
    release: z.string().max(128),
    reason: z.string().max(64),
    detail: Text,
  }),
  z.object({ kind: z.literal('rolled-back'), from: z.string().max(128), to: ReleaseId, why: Text }),
  z.object({ kind: z.literal('rollback-failed'), from: z.string().max(128), why: Text }),
]);

/** One model-update event as a device reports it. */
export type UpdateEventReport = z.infer<typeof UpdateEventSchema>;

/** A device state message (full state or last will). Unknown extra fields are ignored. */
export const DeviceStateSchema = z.object({
  deviceId: z.string().min(1).max(64),
  online: z.boolean(),
  connected: z.boolean().optional(),
  status: z.enum(['online', 'offline']).optional(),
  reason: z.string().max(200).optional(),
  release: ReleaseId.optional(),
  previousRelease: ReleaseId.optional(),
  encoded: Count.optional(),
  skipped: Count.optional(),
  sent: Count.optional(),
  queued: Count.optional(),
  dropped: Count.optional(),
  nextSeq: Count.optional(),
  lastWindowT0: z.number().finite().min(0).optional(),
  quality: z.number().min(0).max(1).optional(),
  update: UpdateEventSchema.optional(),
  /** When the device wrote the message, ms since the epoch. */
  time: z.number().finite().min(0).optional(),
});

/** A validated device state message. */
export type DeviceStateMessage = z.infer<typeof DeviceStateSchema>;

/** Whether a state message is the will (or a goodbye) that only says the device is gone. */
export function isBareOffline(state: DeviceStateMessage): boolean {
  return !state.online && state.encoded === undefined && state.release === undefined;
}
