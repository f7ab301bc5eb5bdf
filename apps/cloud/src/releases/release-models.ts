/**
 * The encoders of every registered release, loaded once per release from its directory: the shared
 * encoder projects device embeddings h_ecg into that release's shared space, the text encoder turns
 * reports and prompts into the same space. Vectors are comparable only within one release.
 */
import { loadRelease, selectBackend, tfEncoders } from '@heartline/trainer';
import * as tf from '@tensorflow/tfjs-core';
import { NotFoundError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import { listReleases, type ReleaseRow } from '../storage/releases.js';
import { ReleaseFiles } from './release-files.js';

/** One release's encoders as the cloud uses them. */
export interface ReleaseModel {
  readonly id: string;
  readonly ecgDim: number;
  readonly sharedDim: number;
  /** `n × ecgDim` h_ecg → `n × sharedDim` L2-normalised shared vectors. */
  projectEcg(h: Float32Array, n: number): Float32Array;
  /** Texts → `texts.length × sharedDim` L2-normalised shared vectors. */
  encodeText(texts: readonly string[]): Float32Array;
  /**
   * Preprocessed windows (`n × 12 × windowSamples`) and lead masks (`n × 12`) → h_ecg (`n × ecgDim`)
   * and shared vectors (`n × sharedDim`): the release's ECG encoder, then its shared encoder. Absent in
   * stand-ins that only project device embeddings; importing raw ECGs needs it.
   */
  encodeEcg?(windows: Float32Array, leadMasks: Uint8Array, n: number): { h: Float32Array; z: Float32Array };
}

let backend: Promise<unknown> | undefined;

/** Selects TF.js's backend once per process (wasm here; see DESIGN.md "Setup facts"). */
export async function ensureBackend(): Promise<void> {
  backend ??= selectBackend();
  await backend;
}

/** Loads a release directory into a {@link ReleaseModel} (selecting the TF.js backend on first use). */
export async function loadReleaseModel(dir: string): Promise<ReleaseModel> {
  await ensureBackend();
  const { manifest, model, tokenizer } = await loadRelease(dir);
  const encoders = tfEncoders(model, tokenizer);
  const { ecgDim, sharedDim } = encoders;
  return {
    id: manifest.id,
    ecgDim,
    sharedDim,
    projectEcg(h, n) {
      const zT = tf.tidy(() => model.sharedFromEcg(tf.tensor2d(h.subarray(0, n * ecgDim), [n, ecgDim])));
      // Read outside tidy (tidy walks what it returns).
      const z = zT.dataSync() as Float32Array;
      zT.dispose();
      return z;
    },
    encodeText: (texts) => encoders.encodeText(texts),
    encodeEcg: (windows, leadMasks, n) => encoders.encodeEcg(windows, leadMasks, n),
  };
}

/**
 * The releases the database knows, with their models loaded lazily and cached. `rows` refreshes from the
 * database at most once a second so a release registered by another instance becomes known quickly; a
 * model is loaded from the folder `files` gives (a release another instance registered: a verified copy
 * of its files from the database).
 */
export class ReleaseCatalog {
  private rowsById = new Map<string, ReleaseRow>();
  private models = new Map<string, Promise<ReleaseModel>>();
  private refreshedAt = 0;
  private readonly listeners: ((row: ReleaseRow) => void)[] = [];

  constructor(
    private readonly db: SqlDriver,
    private readonly load: (dir: string) => Promise<ReleaseModel> = loadReleaseModel,
    /** The release files of this instance; default: a temporary cache of its own. */
    readonly files: ReleaseFiles = new ReleaseFiles({ db }),
  ) {}

  /** Re-reads the releases table; tells the listeners of every release it had not seen before. */
  async refresh(): Promise<void> {
    const rows = await listReleases(this.db);
    const known = this.rowsById;
    this.rowsById = new Map(rows.map((r) => [r.id, r]));
    this.refreshedAt = Date.now();
    for (const row of rows) {
      if (!known.has(row.id)) for (const listener of this.listeners) listener(row);
    }
  }

  /** Calls `listener` with each release the catalog sees for the first time (all of them at the first refresh). */
  onNewRelease(listener: (row: ReleaseRow) => void): void {
    this.listeners.push(listener);
  }

  /** The release row, or undefined when the database does not know it. */
  async row(id: string): Promise<ReleaseRow | undefined> {
    let row = this.rowsById.get(id);
    if (!row && Date.now() - this.refreshedAt > 1000) {
      await this.refresh();
      row = this.rowsById.get(id);
    }
    return row;
  }

  /** Live releases (the spaces a query searches). */
  async live(): Promise<ReleaseRow[]> {
    await this.refresh();
    return [...this.rowsById.values()].filter((r) => r.live);
  }

  /** The loaded model of a release; loads it on first use. */
  async model(id: string): Promise<ReleaseModel> {
    const row = await this.row(id);
    if (!row) throw new NotFoundError('release', id);
    let model = this.models.get(id);
    if (!model) {
      model = this.files.localDir(row).then((dir) => this.load(dir));
      this.models.set(id, model);
      // A failed load must be retried next time, not cached.
      model.catch(() => this.models.delete(id));
    }
    return model;
  }
}
