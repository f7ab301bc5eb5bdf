/**
 * Gradients of the kernels the CG-DMER networks use. `@tensorflow/tfjs-core` on its own registers none
 * (the full `@tensorflow/tfjs` bundle does, and its ES build cannot be imported by Node directly), so
 * this file registers its own, once, for exactly the kernels on the training path; any kernel already
 * registered (e.g. by a host that loaded the full bundle) is left alone. Transposes are explicit because
 * transposed matMuls are slow on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs-core';

type Grads = Record<string, () => tf.Tensor>;
type Attrs = Record<string, unknown>;

/**
 * Sums a broadcast gradient back down to `shape`. A sum over leading axes (bias and norm gradients,
 * [N, d] → [d]) is a ones-vector matMul: the backend's Sum transposes first and is ~10× slower there.
 *
 * A gradient of rank ≥ 3 is flattened into a copy, not a view. The wasm backend (4.22) caches the
 * XNNPACK operator of a 2-D matMul by the data of its right operand alone, not by its shape, and a
 * reshape shares its input's data. Add passes `dy` through unchanged, so the [B, L·P, d] gradient of the
 * ECG encoder's position-embedding add is also, reshaped to [B·L·P, d], the output gradient of the patch
 * embedding before it; flattened here to [B, L·P·d] as a view, the patch layer's weight-gradient matMul
 * then reran the cached [B, L·P·d] operator on its [B·L·P, d] operand: wrong values and writes past its
 * output buffer, which surfaced later as "memory access out of bounds" when a tensor was disposed
 * (training the encoder without patch masking, as the supervised baseline does).
 */
function reduceTo(dy: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes([...shape], dy.shape);
  if (axes.length === 0) return dy;
  if (axes.every((a, i) => a === i) && dy.rank > axes.length) {
    const lead = axes.reduce((n, a) => n * (dy.shape[a] as number), 1);
    const view = tf.reshape(dy, [lead, dy.size / lead]);
    const flat = dy.rank === 2 ? view : tf.clone(view);
    return tf.reshape(tf.matMul(tf.ones([1, lead]), flat), [...shape]);
  }
  return tf.reshape(tf.sum(dy, axes), [...shape]);
}

/** Swaps the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = [...Array(x.rank).keys()];
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return tf.transpose(x, perm);
}

function axesOf(attrs: Attrs, x: tf.Tensor): number[] {
  return tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
}

/** dy of a reduction over `axes` broadcast back to x's shape. */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axes: number[]): tf.Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.mul(tf.reshape(dy, kept), tf.onesLike(x));
}

function binary(
  kernelName: string,
  f: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => [tf.Tensor, tf.Tensor],
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      return { a: () => reduceTo(f(g, a, b)[0], a.shape), b: () => reduceTo(f(g, a, b)[1], b.shape) };
    },
  };
}

function unary(
  kernelName: string,
  f: (dy: tf.Tensor, x: tf.Tensor, attrs: Attrs) => tf.Tensor,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({ x: () => f(dy as tf.Tensor, saved[0] as tf.Tensor, attrs as Attrs) }),
  };
}

const CONFIGS: readonly tf.GradConfig[] = [
  binary('Add', (dy) => [dy, dy]),
  binary('Sub', (dy) => [dy, tf.neg(dy)]),
  binary('Multiply', (dy, a, b) => [tf.mul(dy, b), tf.mul(dy, a)]),
  binary('RealDiv', (dy, a, b) => [tf.div(dy, b), tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))]),
  binary('Maximum', (dy, a, b) => [
    tf.mul(dy, tf.cast(tf.greaterEqual(a, b), 'float32')),
    tf.mul(dy, tf.cast(tf.less(a, b), 'float32')),
  ]),
  binary('Minimum', (dy, a, b) => [
    tf.mul(dy, tf.cast(tf.lessEqual(a, b), 'float32')),
    tf.mul(dy, tf.cast(tf.greater(a, b), 'float32')),
  ]),
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, saved) =>
      Object.fromEntries(saved.map((_, i) => [String(i), () => tf.clone(dy as tf.Tensor)])) as Grads,
  },
  unary('Neg', (dy) => tf.neg(dy)),
  unary('Square', (dy, x) => tf.mul(dy, tf.mul(x, 2))),
  unary('Sqrt', (dy, x) => tf.div(dy, tf.mul(tf.sqrt(x), 2))),
  unary('Rsqrt', (dy, x) => tf.mul(dy, tf.div(tf.mul(tf.rsqrt(x), -0.5), x))),
  unary('Exp', (dy, x) => tf.mul(dy, tf.exp(x))),
  unary('Erf', (dy, x) => tf.mul(dy, tf.mul(tf.exp(tf.neg(tf.square(x))), 2 / Math.sqrt(Math.PI)))),
  unary('ClipByValue', (dy, x, attrs) => {
    const inside = tf.logicalAnd(
      tf.greaterEqual(x, attrs.clipValueMin as number),
      tf.lessEqual(x, attrs.clipValueMax as number),
    );
    return tf.mul(dy, tf.cast(inside, 'float32'));
  }),
  unary('Cast', (dy) => tf.clone(dy)),
  unary('Sum', (dy, x, attrs) => expandReduced(dy, x, axesOf(attrs, x))),
  unary('Mean', (dy, x, attrs) => {
    const axes = axesOf(attrs, x);
    const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
    return tf.div(expandReduced(dy, x, axes), count);
  }),
  unary('Reshape', (dy, x) => tf.reshape(dy, x.shape)),
  unary('Transpose', (dy, _x, attrs) => {
    const perm = attrs.perm as number[];
    const inverse = new Array<number>(perm.length);
    perm.forEach((axis, i) => {
      inverse[axis] = i;
    });
    return tf.transpose(dy, inverse);
  }),
  unary('Slice', (dy, x, attrs) => {
    const begin = attrs.begin as number[];
    const size = dy.shape;
    return tf.pad(
      dy,
      x.shape.map((d, i): [number, number] => [
        begin[i] as number,
        d - (begin[i] as number) - (size[i] as number),
      ]),
    );
  }),
  {
    kernelName: 'SplitV',
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.concat(dy as tf.Tensor[], (attrs as Attrs).axis as number),
    }),
  },
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const y = saved[0] as tf.Tensor;
      const dim = (attrs as Attrs).dim as number;
      const g = dy as tf.Tensor;
      return { logits: () => tf.mul(y, tf.sub(g, tf.sum(tf.mul(g, y), dim, true))) };
    },
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y);
      let da: () => tf.Tensor;
      let db: () => tf.Tensor;
      if (!transposeA && !transposeB) {
        da = () => mm(g, swapLast(b));
        db = () => mm(swapLast(a), g);
      } else if (!transposeA) {
        da = () => mm(g, b);
        db = () => mm(swapLast(g), a);
      } else if (!transposeB) {
        da = () => mm(b, swapLast(g));
        db = () => mm(a, g);
      } else {
        da = () => mm(swapLast(b), swapLast(g));
        db = () => mm(swapLast(g), swapLast(a));
      }
      return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
    },
  },
];

let registered = false;

/** Registers the gradients above for every kernel that has none yet (idempotent). */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of CONFIGS) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
