/**
 * A model store in memory, for a browser page (which has no disk the device owns) and for tests: the
 * current and the previous model, so a rollback works as on a Node device, until the page is reloaded.
 */
import type { DeviceManifest } from '@heartline/model/onnx';
import { activeAfter } from './active-models.js';
import type { ActiveModels, ModelStorage, StoredModel } from './ports.js';

/** Holds at most the current and the previous model. */
export class MemoryModelStore implements ModelStorage {
  private state: ActiveModels = { blocked: [] };
  private readonly models = new Map<string, StoredModel>();

  get active(): ActiveModels {
    return this.state;
  }

  async save(release: string, bytes: Uint8Array, manifest: DeviceManifest | undefined): Promise<void> {
    this.models.set(release, { release, bytes, manifest });
  }

  async load(release: string): Promise<StoredModel | undefined> {
    return this.models.get(release);
  }

  async activate(release: string, options: { block?: string } = {}): Promise<void> {
    this.state = activeAfter(this.state, release, options.block);
    for (const r of this.models.keys())
      if (r !== this.state.current && r !== this.state.previous) this.models.delete(r);
  }
}
