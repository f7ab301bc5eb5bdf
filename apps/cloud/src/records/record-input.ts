import { z } from '@hono/zod-openapi';

/** A clinical record as clients send it (JSON form). */
export const RecordInputSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .optional(),
    patientId: z.string().min(1).max(128).optional(),
    studyId: z.string().min(1).max(128).optional(),
    effective: z.iso.datetime({ offset: true }).optional(),
    text: z.string().min(1).max(20_000),
    language: z.string().max(16).optional(),
    codes: z.array(z.string().min(1).max(64)).max(100).default([]),
  })
  .openapi('RecordInput');

/** A clinical record as clients send it. */
export type RecordInput = z.input<typeof RecordInputSchema>;
