/**
 * The models a device keeps in `<state>/models`: `<release>.onnx` with its verified manifest
 * (`<release>.manifest.json`, absent for a model the operator provisioned by file) and its sha256
 * (`<release>.sha256`, hex, so a provisioned model can be re-checked too), and `active.json`
 * naming the release in use, the one before it (the rollback target) and releases refused for good.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceManifest } from '@heartline/model/onnx';
import { activeAfter } from '../core/active-models.js';
import type { ActiveModels, ModelStorage, StoredModel } from '../core/ports.js';
import { writeFileAtomic } from '../outbox/index.js';

export type { ActiveModels, StoredModel } from '../core/ports.js';

/** The on-disk model store of one device. */
export class ModelStore implements ModelStorage {
  private constructor(
    private readonly dir: string,
    private state: ActiveModels,
  ) {}

  /** Opens (creating when missing) `<stateDir>/models`. */
  static async open(stateDir: string): Promise<ModelStore> {
    const dir = join(stateDir, 'models');
    await mkdir(dir, { recursive: true });
    let state: ActiveModels = { blocked: [] };
    try {
      state = { ...state, ...JSON.parse(await readFile(join(dir, 'active.json'), 'utf8')) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return new ModelStore(dir, state);
  }

  /** What is active. */
  get active(): ActiveModels {
    return this.state;
  }

  /** Writes a model's files (before it becomes active, so `active.json` never names a missing file). */
  async save(release: string, bytes: Uint8Array, manifest: DeviceManifest | undefined): Promise<void> {
    await writeFileAtomic(join(this.dir, `${release}.onnx`), bytes, true);
    await writeFileAtomic(
      join(this.dir, `${release}.sha256`),
      createHash('sha256').update(bytes).digest('hex'),
      true,
    );
    if (manifest)
      await writeFileAtomic(join(this.dir, `${release}.manifest.json`), JSON.stringify(manifest), true);
  }

  /** Reads a stored model; undefined when its file is gone. */
  async load(release: string): Promise<StoredModel | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(this.dir, `${release}.onnx`)));
    } catch {
      return undefined;
    }
    let manifest: DeviceManifest | undefined;
    try {
      manifest = JSON.parse(
        await readFile(join(this.dir, `${release}.manifest.json`), 'utf8'),
      ) as DeviceManifest;
    } catch {
      manifest = undefined;
    }
    const sha256 = await readFile(join(this.dir, `${release}.sha256`), 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    );
    return { release, bytes, manifest, sha256 };
  }

  /** Records `release` as active and the one it replaced as previous; deletes models no longer named. */
  async activate(release: string, options: { block?: string } = {}): Promise<void> {
    const old = this.state;
    this.state = activeAfter(old, release, options.block);
    await writeFileAtomic(join(this.dir, 'active.json'), JSON.stringify(this.state), true);
    const keep = new Set([this.state.current, this.state.previous]);
    for (const r of [old.current, old.previous]) {
      if (r && !keep.has(r)) {
        await unlink(join(this.dir, `${r}.onnx`)).catch(() => undefined);
        await unlink(join(this.dir, `${r}.manifest.json`)).catch(() => undefined);
        await unlink(join(this.dir, `${r}.sha256`)).catch(() => undefined);
      }
    }
  }
}
