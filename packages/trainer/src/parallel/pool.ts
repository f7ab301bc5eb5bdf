/**
 * Data-parallel pretraining on several cores (see protocol.ts for the split of the work): each step
 * sends the current encoder + decoder weights (one Float32Array) and a slice of the batch to every
 * worker, runs the batch-coupled head on this thread, sums the gradients in a fixed order (so a run is
 * deterministic) and applies Adam here. The losses are those of one whole-batch step; only the order of
 * floating-point sums differs.
 */
import type { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '@heartline/model/errors';
import { weightedLoss, weightedLossValue } from '@heartline/model/losses';
import {
  type CgDmerConfig,
  type CgDmerModel,
  headLosses,
  isPretrainBatch,
  patchesPerLead,
  pretrainMask,
  type TrainBatch,
} from '@heartline/model/nn';
import { startModuleWorker } from '@heartline/node-io';
import * as tf from '@tensorflow/tfjs-core';
import { TrainingWorkerError } from '../errors.js';
import type { Adam } from '../loop/adam.js';
import { clipScale, type LossValues } from '../loop/step.js';
import { SHARED_FLOAT_OFFSET, type StepMessage, WORKER_GROUPS, type WorkerReply } from './protocol.js';

const HEAD_GROUPS = ['shared', 'heads', 'temperature'] as const;

/** Starts the gradient worker beside this file (compiled, or from sources in development). */
function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'grad-worker');
}

/** One worker and the replies it has sent that nobody has awaited yet. */
class WorkerLink {
  private readonly queue: WorkerReply[] = [];
  private readonly waiting: ((r: WorkerReply) => void)[] = [];
  flag: Int32Array<ArrayBufferLike> = new Int32Array(1);
  floats: Float32Array<ArrayBufferLike> = new Float32Array(0);

  constructor(readonly worker: Worker) {
    worker.on('message', (r: WorkerReply) => this.push(r));
    worker.on('error', (e) => this.push({ type: 'error', message: String(e?.stack ?? e) }));
  }

  /** Makes room for `rows` rows of dL/dh; returns the new shared buffer to send, if one was needed. */
  reserve(rows: number, dim: number): SharedArrayBuffer | undefined {
    if (this.floats.length >= 2 * rows * dim) return undefined;
    const shared = new SharedArrayBuffer(SHARED_FLOAT_OFFSET + 2 * rows * dim * 4);
    this.flag = new Int32Array(shared, 0, 1);
    this.floats = new Float32Array(shared, SHARED_FLOAT_OFFSET);
    return shared;
  }

  private push(r: WorkerReply): void {
    const next = this.waiting.shift();
    if (next) next(r);
    else this.queue.push(r);
  }

  /** The next reply; throws a worker's error. */
  async next<T extends WorkerReply['type']>(type: T): Promise<Extract<WorkerReply, { type: T }>> {
    const r = this.queue.shift() ?? (await new Promise<WorkerReply>((res) => this.waiting.push(res)));
    if (r.type === 'error') throw new TrainingWorkerError(`data-parallel worker failed: ${r.message}`);
    if (r.type !== type)
      throw new TrainingWorkerError(`data-parallel worker sent "${r.type}", expected "${type}"`);
    return r as Extract<WorkerReply, { type: T }>;
  }
}

/** A pool of gradient workers for pretraining steps of one model configuration. */
export class DataParallelPool {
  private constructor(
    private readonly config: CgDmerConfig,
    private readonly links: readonly WorkerLink[],
  ) {}

  /** Starts `workers` workers, each a one-thread wasm backend holding a replica of `config`. */
  static async create(config: CgDmerConfig, workers: number): Promise<DataParallelPool> {
    if (!Number.isInteger(workers) || workers < 2)
      throw new RangeError(`DataParallelPool: workers = ${workers} must be an integer ≥ 2`);
    const links = Array.from({ length: workers }, () => new WorkerLink(startWorker()));
    const pool = new DataParallelPool(config, links);
    try {
      for (const link of links) link.worker.postMessage({ type: 'init', config });
      for (const link of links) await link.next('ready');
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Number of workers. */
  get size(): number {
    return this.links.length;
  }

  /** One pretraining step on `batch` (forward, backward on all workers, clip, Adam); returns the losses. */
  async step(
    model: CgDmerModel,
    optimizer: Adam,
    batch: TrainBatch,
    maskSeed: string,
    lr: number,
    clipNorm: number,
  ): Promise<LossValues> {
    if (!isPretrainBatch(batch))
      throw new InvalidArgumentError('batch', 'align batch', 'data-parallel steps need ecg and leadMask');
    const c = this.config;
    const b = batch.pairKey.length;
    if (b < this.links.length)
      throw new InvalidArgumentError('batch size', b, `must be at least the ${this.links.length} workers`);
    // The whole batch's shapes and mask, before any worker sees a slice of it.
    const mask = pretrainMask(c, batch, maskSeed);
    const len = batch.tokenIds.length / b;
    const patches = patchesPerLead(c);
    let maskedTotal = 0;
    for (const m of mask) maskedTotal += m;
    const workerVars = model.namedVariables(WORKER_GROUPS);
    const weights = new Float32Array(workerVars.reduce((s, [, v]) => s + v.size, 0));
    let offset = 0;
    for (const [, v] of workerVars) {
      weights.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    const bounds = this.links.map((_, i) => Math.round((i * b) / this.links.length));
    bounds.push(b);
    const rows = (i: number): [number, number] => [bounds[i] as number, bounds[i + 1] as number];
    this.links.forEach((link, i) => {
      const [r0, r1] = rows(i);
      const shared = link.reserve(r1 - r0, c.ecgDim);
      const msg: StepMessage = {
        type: 'step',
        ...(shared ? { shared } : {}),
        weights,
        ecg: batch.ecg.subarray(r0 * c.leads * c.windowSamples, r1 * c.leads * c.windowSamples),
        leadMask: batch.leadMask.subarray(r0 * c.leads, r1 * c.leads),
        patchMask: mask.subarray(r0 * c.leads * patches, r1 * c.leads * patches),
        maskedTotal,
        tokenIds: batch.tokenIds.subarray(r0 * len, r1 * len),
        tokenMask: batch.tokenMask.subarray(r0 * len, r1 * len),
      };
      link.worker.postMessage(msg);
    });
    // Gather h from every worker, in batch order.
    const d = c.ecgDim;
    const hEcg = new Float32Array(b * d);
    const hTxt = new Float32Array(b * d);
    for (const [i, link] of this.links.entries()) {
      const h = await link.next('h');
      hEcg.set(h.hEcg, rows(i)[0] * d);
      hTxt.set(h.hTxt, rows(i)[0] * d);
    }
    // The head over the whole batch, differentiated with respect to its weights and to h.
    const headVars = model.namedVariables(HEAD_GROUPS);
    const hE = tf.variable(tf.tensor2d(hEcg, [b, d]));
    const hT = tf.variable(tf.tensor2d(hTxt, [b, d]));
    let parts: tf.Scalar[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const l = headLosses(model, hE as tf.Tensor2D, hT as tf.Tensor2D, batch.pairKey);
      parts = [tf.keep(l.clip), tf.keep(l.dis)];
      // The workers' backward passes add the λstmm·stmm part.
      return weightedLoss(l, c);
    }, [...headVars.map(([, v]) => v), hE, hT]);
    const dE = (grads[hE.name] as tf.Tensor).dataSync();
    const dT = (grads[hT.name] as tf.Tensor).dataSync();
    this.links.forEach((link, i) => {
      const [r0, r1] = rows(i);
      link.floats.set(dE.subarray(r0 * d, r1 * d), 0);
      link.floats.set(dT.subarray(r0 * d, r1 * d), (r1 - r0) * d);
      Atomics.store(link.flag, 0, 1);
      Atomics.notify(link.flag, 0);
    });
    const arrays = optimizer.readGradients(grads);
    const [clip, dis] = parts.map((t) => t.dataSync()[0] as number) as [number, number];
    tf.dispose([value, hE, hT, ...parts, ...Object.values(grads)]);
    // Sum the workers' gradients in worker order.
    let stmm = 0;
    const sums = workerVars.map(([, v]) => new Float32Array(v.size));
    const present = new Array<boolean>(workerVars.length).fill(false);
    for (const link of this.links) {
      const reply = await link.next('grads');
      stmm += reply.stmm;
      let o = 0;
      workerVars.forEach(([, v], k) => {
        const sum = sums[k] as Float32Array;
        if (reply.grads[weights.length + k] === 1) {
          present[k] = true;
          for (let j = 0; j < v.size; j++) sum[j] = (sum[j] as number) + (reply.grads[o + j] as number);
        }
        o += v.size;
      });
    }
    workerVars.forEach(([name], k) => {
      if (present[k]) arrays.set(name, sums[k] as Float32Array);
    });
    optimizer.applyArrays(arrays, lr, clipScale(arrays.values(), clipNorm));
    return { total: weightedLossValue({ clip, stmm, dis }, c), clip, stmm, dis };
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.links.map((link) => link.worker.terminate()));
  }
}
