/**
 * A gradient worker of the data-parallel pool (see protocol.ts): a model replica on its own wasm
 * backend that, per step, loads the weights it is sent, encodes its slice of the batch, hands h_ecg and
 * h_txt to the main thread, waits (synchronously, inside the backward pass) for their gradients, and
 * replies with its encoder + decoder gradients concatenated in weight-name order.
 */
import { parentPort } from 'node:worker_threads';
import { weightedLoss } from '@heartline/model/losses';
import { CgDmerModel, encodePretrainRows } from '@heartline/model/nn';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import { TrainingWorkerError } from '../errors.js';
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
    const enc = encodePretrainRows(r.model, msg, msg.patchMask);
    const objective = exchange(enc.hEcg, enc.hTxt) as tf.Scalar;
    if (!enc.stmm) return objective;
    // stmm averages over this slice's masked patches; the whole batch's mean divides by all of them.
    const part = tf.mul(enc.stmm, localMasked / Math.max(1, msg.maskedTotal)) as tf.Scalar;
    stmm = tf.keep(part);
    return tf.add(objective, weightedLoss({ stmm: part }, c)) as tf.Scalar;
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
    else throw new TrainingWorkerError('grad-worker: step before init');
  };
  run().catch((error: unknown) => post({ type: 'error', message: String((error as Error)?.stack ?? error) }));
});
