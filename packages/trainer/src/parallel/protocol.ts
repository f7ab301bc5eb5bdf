/**
 * Messages between the data-parallel pool (main thread) and its gradient workers. Each worker owns a
 * model replica on its own wasm backend and computes, for its slice of the batch, the encoder + decoder
 * gradients; the batch-coupled part (shared encoder, heads, InfoNCE, disentanglement) runs once on the
 * main thread over the whole batch, so the losses are exactly those of a single-thread step. The
 * gradient with respect to h_ecg and h_txt crosses back through shared memory while the worker's tape
 * is still alive (it blocks in Atomics.wait inside the backward pass).
 */
import type { CgDmerConfig } from '@heartline/model/nn';

/** Weight groups a worker trains (pretraining's minus the batch-coupled ones the main thread owns). */
export const WORKER_GROUPS = ['ecg', 'text', 'decoder'] as const;

/** Main → worker, once. */
export interface InitMessage {
  readonly type: 'init';
  readonly config: CgDmerConfig;
}

/** Main → worker, every step: the current weights of WORKER_GROUPS (concatenated) and a batch slice. */
export interface StepMessage {
  readonly type: 'step';
  /** Int32 flag at index 0, then float32 dL/dh_ecg and dL/dh_txt for the worker's rows (sent when new). */
  readonly shared?: SharedArrayBuffer;
  readonly weights: Float32Array;
  readonly ecg: Float32Array;
  readonly leadMask: Uint8Array;
  /** [rows × leads × patches], 1 = masked (a slice of the whole batch's mask). */
  readonly patchMask: Uint8Array;
  /** Masked patches in the whole batch: the ST-MM mean's denominator. */
  readonly maskedTotal: number;
  readonly tokenIds: Int32Array;
  readonly tokenMask: Uint8Array;
}

/** Worker → main. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'h'; readonly hEcg: Float32Array; readonly hTxt: Float32Array }
  | { readonly type: 'grads'; readonly grads: Float32Array; readonly stmm: number }
  | { readonly type: 'error'; readonly message: string };

/** Byte offset of the float area in the shared buffer (after the Int32 flag, 16-byte aligned). */
export const SHARED_FLOAT_OFFSET = 16;
