/**
 * An encoder whose session can be replaced while windows keep flowing: the new session is loaded and
 * self-tested beside the current one, then swapped in once the runs in flight have finished (new runs
 * wait for the moment of the swap, so no run ever overlaps it), and the old session is released. A load
 * or self-test failure leaves the current session in place.
 */
import { InvalidStateError } from '../errors.js';
import type { EncoderRuntime } from './encoder-runtime.js';

/** What `swap` reports. */
export type SwapResult =
  | { readonly ok: true; readonly label: string; readonly previous: string }
  | {
      readonly ok: false;
      readonly stage: 'load' | 'self-test';
      readonly reason: string;
      readonly error: unknown;
    };

/** Options of `SwappableEncoder.swap`. */
export interface SwapOptions {
  /** Names the new session (e.g. its release id). */
  readonly label: string;
  /** Rejects (or throws) when the freshly loaded session must not be used. Default: accepts. */
  readonly selfTest?: (runtime: EncoderRuntime) => Promise<void>;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An EncoderRuntime holder with atomic, self-tested session swaps. */
export class SwappableEncoder {
  private current: { runtime: EncoderRuntime; label: string };
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private gate: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  /** Starts with `runtime` (already loaded and trusted), named `label`. */
  constructor(runtime: EncoderRuntime, label: string) {
    this.current = { runtime, label };
  }

  /** The label of the session in use. */
  get label(): string {
    return this.current.label;
  }

  /** Runs the current session (see EncoderRuntime.run); waits while a swap is being committed. */
  async run(windows: Float32Array, leadMask: Uint8Array, batch: number): Promise<Float32Array> {
    while (this.gate) await this.gate;
    if (this.released) throw new InvalidStateError('SwappableEncoder.run: the encoder was released');
    const { runtime } = this.current;
    this.inFlight++;
    try {
      return await runtime.run(windows, leadMask, batch);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  /**
   * Loads a new session with `load`, self-tests it and swaps it in; resolves (never rejects) with what
   * happened. Swaps are serialised: a second call waits for the first.
   */
  swap(load: () => Promise<EncoderRuntime>, options: SwapOptions): Promise<SwapResult> {
    const next = this.queue.then(() => this.doSwap(load, options));
    this.queue = next;
    return next;
  }

  private async doSwap(load: () => Promise<EncoderRuntime>, options: SwapOptions): Promise<SwapResult> {
    let fresh: EncoderRuntime;
    try {
      fresh = await load();
    } catch (error) {
      return { ok: false, stage: 'load', reason: reasonOf(error), error };
    }
    try {
      await options.selfTest?.(fresh);
    } catch (error) {
      await fresh.release().catch(() => undefined);
      return { ok: false, stage: 'self-test', reason: reasonOf(error), error };
    }
    if (this.released) {
      await fresh.release();
      return { ok: false, stage: 'load', reason: 'the encoder was released', error: undefined };
    }
    let open: () => void = () => undefined;
    this.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    this.drained = undefined;
    const old = this.current;
    this.current = { runtime: fresh, label: options.label };
    this.gate = undefined;
    open();
    // Every run that picked the old session has finished (drained above), so it can go now.
    await old.runtime.release().catch(() => undefined);
    return { ok: true, label: options.label, previous: old.label };
  }

  /** Waits for pending swaps and runs, then releases the current session. */
  async release(): Promise<void> {
    await this.queue;
    this.released = true;
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    await this.current.runtime.release();
  }
}
