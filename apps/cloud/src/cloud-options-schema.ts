/**
 * The whole of {@link CloudOptions} checked once, when a cloud starts: a wrong port, URL or threshold is
 * refused up front with an {@link InvalidOptionsError} naming the field, not found later by the part
 * that uses it.
 */
import { z } from 'zod';
import type { CloudOptions } from './cloud.js';
import { InvalidOptionsError } from './errors.js';

const port = z
  .number()
  .int('must be an integer')
  .min(0, 'must be 0 to 65535')
  .max(65_535, 'must be 0 to 65535');
const path = z.string().min(1, 'must not be empty');
const positiveInteger = z.number().int('must be an integer').min(1, 'must be ≥ 1');
const callback = z.custom<(...args: never[]) => unknown>(
  (v) => typeof v === 'function',
  'must be a function',
);

/** A URL string whose scheme is one of `schemes` (each with its colon, as `URL.protocol` has it). */
function urlWith(schemes: readonly string[]) {
  const expected = `must be a URL starting ${schemes.map((s) => `${s}//`).join(' or ')}`;
  return z.string().refine((text) => {
    try {
      return schemes.includes(new URL(text).protocol);
    } catch {
      return false;
    }
  }, expected);
}

/** The schema of {@link CloudOptions}; every field optional, as there. */
export const cloudOptionsSchema = z.object({
  dataDir: path.optional(),
  databaseUrl: urlWith(['postgres:', 'postgresql:']).optional(),
  mqttUrl: urlWith(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:']).optional(),
  mqttPassword: z.string().optional(),
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9._-]')
    .optional(),
  httpPort: port.optional(),
  mqttPort: port.optional(),
  wsPort: port.optional(),
  host: z.string().min(1, 'must not be empty').optional(),
  tls: z
    .object({
      cert: z.string().min(1, 'must hold a PEM certificate'),
      key: z.string().min(1, 'must hold a PEM private key'),
      ca: z.string().optional(),
      requestClientCert: z.boolean().optional(),
    })
    .optional(),
  releaseDirs: z.array(path).optional(),
  batchSize: positiveInteger.optional(),
  flushMs: z.number().min(0, 'must be ≥ 0').optional(),
  publicUrl: urlWith(['http:', 'https:']).optional(),
  onStored: callback.optional(),
  loadRelease: callback.optional(),
  releaseGuard: z
    .object({
      minDevices: positiveInteger.optional(),
      minFraction: z.number().min(0, 'must be 0 to 1').max(1, 'must be 0 to 1').optional(),
      minSamples: positiveInteger.optional(),
      maxQualityDrop: z.number().min(0, 'must be 0 to 1').max(1, 'must be 0 to 1').optional(),
      qualityCheckMs: z.number().min(0, 'must be ≥ 0').optional(),
    })
    .optional(),
  importRoots: z.array(path).optional(),
  maxBodyBytes: positiveInteger.optional(),
  alignProposalSignOffs: positiveInteger.optional(),
  devicePageDir: path.optional(),
  log: callback.optional(),
  logger: z
    .custom<NonNullable<CloudOptions['logger']>>(
      (v) => typeof v === 'object' && v !== null && typeof (v as { child?: unknown }).child === 'function',
      'must be a pino logger',
    )
    .optional(),
});

/** Checks `options` as a whole; throws an {@link InvalidOptionsError} naming each offending field. */
export function validateCloudOptions(options: CloudOptions): void {
  const result = cloudOptionsSchema.safeParse(options);
  if (result.success) return;
  const problems = result.error.issues.map((issue) => `${fieldOf(issue.path)}: ${issue.message}`);
  throw new InvalidOptionsError(fieldOf(result.error.issues[0]?.path ?? []), problems);
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(options)' : path.map((key) => String(key)).join('.');
}
