import { z } from '@hono/zod-openapi';
import { safeString } from '../security/safe-text.js';

/** A clinical record as clients send it (JSON form). Strings refuse NUL and lone surrogates. */
export const RecordInputSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .optional(),
    patientId: safeString().min(1).max(128).optional(),
    studyId: safeString().min(1).max(128).optional(),
    effective: z.iso.datetime({ offset: true }).optional(),
    text: safeString().min(1).max(20_000),
    language: safeString().max(16).optional(),
    codes: z.array(safeString().min(1).max(64)).max(100).default([]),
  })
  .openapi('RecordInput');

/** A clinical record as clients send it. */
export type RecordInput = z.input<typeof RecordInputSchema>;
