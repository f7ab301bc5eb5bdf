/**
 * The broker's live sessions by device id, so a revoked device (or one whose secret was rotated) can be
 * disconnected at once. A generation number per device makes a login whose secret check was already
 * running when the device was cut off fail instead of slipping in with the old credentials.
 */

/** What the broker needs of a client: a way to close it. */
export interface Closable {
  close(): void;
}

/** Sessions by device id. */
export class DeviceSessions<C extends Closable = Closable> {
  private readonly byDevice = new Map<string, Set<C>>();
  private readonly generations = new Map<string, number>();

  /** The device's generation: read before checking a login, compare after (see {@link disconnect}). */
  generation(deviceId: string): number {
    return this.generations.get(deviceId) ?? 0;
  }

  add(deviceId: string, client: C): void {
    let set = this.byDevice.get(deviceId);
    if (!set) {
      set = new Set();
      this.byDevice.set(deviceId, set);
    }
    set.add(client);
  }

  remove(deviceId: string, client: C): void {
    const set = this.byDevice.get(deviceId);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.byDevice.delete(deviceId);
  }

  /** The device's live sessions. */
  clients(deviceId: string): readonly C[] {
    return [...(this.byDevice.get(deviceId) ?? [])];
  }

  /** Live sessions of the device. */
  count(deviceId: string): number {
    return this.byDevice.get(deviceId)?.size ?? 0;
  }

  /** Closes every session of the device and fails logins already in progress; the number closed. */
  disconnect(deviceId: string): number {
    this.generations.set(deviceId, this.generation(deviceId) + 1);
    const set = this.byDevice.get(deviceId);
    this.byDevice.delete(deviceId);
    for (const client of set ?? []) client.close();
    return set?.size ?? 0;
  }
}
