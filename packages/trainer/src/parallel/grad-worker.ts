/**
 * A gradient worker of the data-parallel pool (see protocol.ts): a model replica on its own wasm
 * backend that, per step, loads the weights it is sent, encodes its slice of the batch, hands h_ecg and
 * h_txt to the main thread, waits (synchronously, inside the backward pass) for their gradients, and
 * replies with its encoder + decoder gradients concatenated in weight-name order.
 */
import { parentPort } from 'node:worker_threads';
import { normalisePatches, stmmLoss } from '@heartline/model/losses';
import { CgDmerModel, patchesPerLead } from '@heartline/model/nn';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import {
  type InitMessage,
  SHARED_FLOAT_OFFSET,
  type StepMessage,
  WORKER_GROUPS,
  type WorkerReply,
} from './protocol.js';

interface Replica {
  readonly model: CgDmerModel;
  readonly variables: tf.Variable[];
  flag: Int32Array<ArrayBufferLike>;
  floats: Float32Array<ArrayBufferLike>;
}

let replica: Replica | undefined;
const port = parentPort;
const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => port?.postMessage(reply, transfer);

async function init(msg: InitMessage): Promise<void> {
  await selectBackend('wasm');
  const model = CgDmerModel.create(msg.config, 'worker');
  replica = {
    model,
    variables: model.namedVariables(WORKER_GROUPS).map(([, v]) => v),
    flag: new Int32Array(1),
    floats: new Float32Array(0),
  };
  post({ type: 'ready' });
}

function loadWeights(r: Replica, weights: Float32Array): void {
  let offset = 0;
  for (const v of r.variables) {
    const t = tf.tensor(weights.subarray(offset, offset + v.size), v.shape);
    v.assign(t);
    t.dispose();
    offset += v.size;
  }
}

function step(r: Replica, msg: StepMessage): void {
  if (msg.shared) {
    r.flag = new Int32Array(msg.shared, 0, 1);
    r.floats = new Float32Array(msg.shared, SHARED_FLOAT_OFFSET);
  }
  loadWeights(r, msg.weights);
  const c = r.model.config;
  const rows = msg.leadMask.length / c.leads;
  const len = msg.tokenIds.length / rows;
  const n = rows * c.leads * patchesPerLead(c);
  let localMasked = 0;
  for (const m of msg.patchMask) localMasked += m;
  // Identity-like boundary: forward publishes h, backward returns the main thread's dL/dh.
  const exchange = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [hEcg, hTxt] = args as [tf.Tensor2D, tf.Tensor2D];
    post({
      type: 'h',
      hEcg: hEcg.dataSync() as Float32Array,
      hTxt: hTxt.dataSync() as Float32Array,
    });
    return {
      value: tf.scalar(0),
      gradFunc: () => {
        Atomics.wait(r.flag, 0, 0);
        Atomics.store(r.flag, 0, 0);
        const size = hEcg.size;
        return [
          tf.tensor2d(r.floats.slice(0, size), hEcg.shape),
          tf.tensor2d(r.floats.slice(size, size + hTxt.size), hTxt.shape),
        ];
      },
    };
  });
  let stmm: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const tokenMask = tf.tensor2d(Float32Array.from(msg.tokenMask), [rows, len]);
    const hTxt = r.model.encodeText(msg.tokenIds, tokenMask);
    const patchMask = tf.tensor2d(Float32Array.from(msg.patchMask), [n, 1]);
    const x = tf.tensor3d(msg.ecg, [rows, c.leads, c.windowSamples]);
    const leadMask = tf.tensor2d(Float32Array.from(msg.leadMask), [rows, c.leads]);
    const enc = r.model.encodeEcg(x, leadMask, patchMask);
    let objective = exchange(enc.hEcg, hTxt) as tf.Scalar;
    if (c.lambdaStmm > 0) {
      const pred = r.model.decoder.decode(tf.reshape(enc.tokens, [n, c.ecgDim]) as tf.Tensor2D);
      const target = tf.tensor2d(normalisePatches(msg.ecg, c.patchSize), [n, c.patchSize]);
      // stmmLoss averages over this slice's masked patches; the whole batch's mean divides by all of them.
      const part = tf.mul(stmmLoss(pred, target, patchMask), localMasked / Math.max(1, msg.maskedTotal));
      stmm = tf.keep(part) as tf.Scalar;
      objective = tf.add(objective, tf.mul(part, c.lambdaStmm));
    }
    return objective;
  }, r.variables);
  const total = r.variables.reduce((s, v) => s + v.size, 0);
  const flat = new Float32Array(total + r.variables.length);
  let offset = 0;
  r.variables.forEach((v, i) => {
    const g = grads[v.name];
    // The trailing flags say which weights got a gradient (none: Adam leaves the weight alone).
    if (g) {
      flat.set(g.dataSync() as Float32Array, offset);
      flat[total + i] = 1;
    }
    offset += v.size;
  });
  const stmmValue = stmm ? (stmm.dataSync()[0] as number) : 0;
  tf.dispose([value, ...Object.values(grads), ...(stmm ? [stmm] : [])]);
  post({ type: 'grads', grads: flat, stmm: stmmValue }, [flat.buffer as ArrayBuffer]);
}

port?.on('message', (msg: InitMessage | StepMessage | { type: 'close' }) => {
  if (msg.type === 'close') {
    replica?.model.dispose();
    port.close();
    return;
  }
  const run = async () => {
    if (msg.type === 'init') await init(msg);
    else if (replica) step(replica, msg);
    else throw new Error('grad-worker: step before init');
  };
  run().catch((error: unknown) => post({ type: 'error', message: String((error as Error)?.stack ?? error) }));
});
