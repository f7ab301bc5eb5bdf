/**
 * Raw ECGs of a PTB-XL-layout folder as cloud-held cases: each record's 100 Hz signal goes through the
 * release's own preprocessing (as training built its examples: first 10 s window, lead mask), its ECG
 * encoder and shared encoder, and is stored as an embedding of the pseudo-device `dataset-<folder name>`
 * (seq = study id = `ecg_id`, the record's patient, t0 = its recording date) with the file it came from,
 * so similar cases, reports, diagnosis and the waveform work for it like for a device case.
 */
import { basename, resolve } from 'node:path';
import { leadMaskBits } from '@heartline/contract';
import { createPreprocessor, type PreprocessOptions } from '@heartline/ecg/signal';
import { openPtbxlFolder } from '@heartline/node-io';
import { z } from 'zod';
import { ConflictError } from '../errors.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import { upsertDatasetCases } from '../storage/dataset-ecgs.js';
import type { SqlDriver } from '../storage/driver.js';
import type { EmbeddingRow } from '../storage/embeddings.js';
import type { ReleaseRow } from '../storage/releases.js';
import { isoOf } from './import-ptbxl.js';

const BATCH = 64;
const LEADS = 12;

/** What an ECG import stored. */
export interface EcgImportResult {
  /** The pseudo-device the cases belong to. */
  readonly deviceId: string;
  /** The release whose encoders made the embeddings. */
  readonly release: string;
  readonly stored: number;
  /** Records without a signal, shorter than a window or with every lead off. */
  readonly skipped: number;
}

/** The preprocessing a release records in its manifest (release.json `preprocessing`). */
const PreprocessingSchema = z.object({
  targetRate: z.number().positive(),
  band: z.tuple([z.number(), z.number()]).nullable().optional(),
  notchHz: z.union([z.literal(50), z.literal(60), z.null()]).optional(),
  normalisation: z.enum(['zscore', 'robust', 'none']).optional(),
  windowSeconds: z.number().positive(),
});

/** The pseudo-device of a folder: `dataset-` and the folder's name, lower-cased, safe as a device id. */
export function datasetDeviceId(dir: string): string {
  const slug = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 56);
  return `dataset-${slug || 'folder'}`;
}

function preprocessingOf(release: ReleaseRow): PreprocessOptions {
  const manifest = release.manifest as { preprocessing?: unknown } | null;
  const parsed = PreprocessingSchema.safeParse(manifest?.preprocessing);
  if (!parsed.success) {
    throw new ConflictError(`release ${release.id} records no usable preprocessing in its release.json`);
  }
  const p = parsed.data;
  return {
    targetRate: p.targetRate,
    windowSeconds: p.windowSeconds,
    ...(p.band !== undefined ? { band: p.band } : {}),
    ...(p.notchHz !== undefined ? { notchHz: p.notchHz } : {}),
    ...(p.normalisation !== undefined ? { normalisation: p.normalisation } : {}),
  };
}

/**
 * Reads, encodes and stores the ECGs of a PTB-XL-layout folder with one release: `release` when given,
 * else the newest live one (a case has one embedding; importing again with a newer release replaces it).
 */
export async function importPtbxlEcgs(
  db: SqlDriver,
  releases: ReleaseCatalog,
  dir: string,
  options: { limit?: number; release?: string } = {},
): Promise<EcgImportResult> {
  const live = await releases.live();
  const row = options.release === undefined ? live.at(-1) : live.find((r) => r.id === options.release);
  if (!row) {
    throw new ConflictError(
      options.release === undefined
        ? 'no live release to encode ECGs with: register one first'
        : `release '${options.release}' is not a live release`,
    );
  }
  const model = await releases.model(row.id);
  if (!model.encodeEcg) throw new ConflictError(`release ${row.id} is loaded without an ECG encoder`);
  const preprocess = createPreprocessor(preprocessingOf(row));
  const folder = await openPtbxlFolder(dir, {
    rate: 100,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const deviceId = datasetDeviceId(dir);
  const root = resolve(dir);
  type Pending = Omit<EmbeddingRow, 'h' | 'z'> & { folder: string; recordPath: string };
  let pending: Pending[] = [];
  let windows: Float32Array[] = [];
  let masks: Uint8Array[] = [];
  let stored = 0;
  let skipped = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const n = pending.length;
    const windowSize = windows[0]!.length;
    const x = new Float32Array(n * windowSize);
    const m = new Uint8Array(n * LEADS);
    for (const [i, w] of windows.entries()) x.set(w, i * windowSize);
    for (const [i, mask] of masks.entries()) m.set(mask, i * LEADS);
    const { h, z: zs } = model.encodeEcg!(x, m, n);
    const rows = pending.map((p, i) => ({
      ...p,
      h: h.slice(i * model.ecgDim, (i + 1) * model.ecgDim),
      z: zs.slice(i * model.sharedDim, (i + 1) * model.sharedDim),
    }));
    stored += await upsertDatasetCases(db, rows);
    pending = [];
    windows = [];
    masks = [];
  };

  for await (const record of folder.records()) {
    if (!record.signal) {
      skipped++;
      continue;
    }
    const result = preprocess(record.signal);
    if (result.windowCount === 0 || !result.leadMask.some((v) => v === 1)) {
      skipped++;
      continue;
    }
    const effective = isoOf(record.recordingDate);
    pending.push({
      deviceId,
      seq: record.ecgId,
      t0: effective ? Date.parse(effective) : 0,
      release: row.id,
      leadMask: leadMaskBits(result.leadMask),
      quality: Math.min(1, Math.max(0, result.quality.score)),
      patientId: record.patientId !== undefined ? String(Math.trunc(record.patientId)) : undefined,
      studyId: String(record.ecgId),
      folder: root,
      recordPath: record.recordPath,
    });
    windows.push(result.windows.slice(0, LEADS * result.windowLength));
    masks.push(result.leadMask.slice());
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  return { deviceId, release: row.id, stored, skipped };
}
