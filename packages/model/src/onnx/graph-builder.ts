/**
 * Builds an ONNX graph node by node: unique value names, typed constant initializers, and one method per
 * way a weight matrix enters a MatMul (float32, float16 cast at load, or int8 with dynamic quantisation).
 */
import { toFloat16Bits } from '@heartline/contract';
import { type OnnxAttribute, type OnnxNode, type OnnxTensor, OnnxType } from './onnx-proto.js';

/** How weight matrices are stored in the exported graph. */
export type WeightPrecision = 'float32' | 'float16' | 'int8';

function bytesOf(view: ArrayBufferView): Uint8Array {
  // Typed arrays are little-endian on every platform that runs this code (x86, ARM), as ONNX raw_data is.
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

/** Accumulates nodes and initializers with unique names. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(private readonly precision: WeightPrecision = 'float32') {}

  private unique(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with one output; returns the output name. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes?: Record<string, OnnxAttribute>,
    base?: string,
  ): string {
    return this.opN(opType, inputs, 1, attributes, base)[0] as string;
  }

  /** Adds a node with `outputs` outputs; returns their names. */
  opN(
    opType: string,
    inputs: readonly string[],
    outputs: number,
    attributes?: Record<string, OnnxAttribute>,
    base?: string,
  ): string[] {
    const name = this.unique(base ?? opType.toLowerCase());
    const outs = outputs === 1 ? [name] : [...Array(outputs).keys()].map((i) => this.unique(`${name}:${i}`));
    this.nodes.push({ opType, inputs, outputs: outs, name, ...(attributes ? { attributes } : {}) });
    return outs;
  }

  /** A float32 constant (always float32, whatever the precision: small vectors and scalars). */
  floats(base: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    const name = this.unique(base);
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    this.initializers.push({ name, dataType: OnnxType.float, dims, raw: bytesOf(data) });
    return name;
  }

  /** An int64 constant (shapes, axes). */
  int64s(base: string, values: readonly number[]): string {
    const name = this.unique(base);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: OnnxType.int64, dims: [values.length], raw: bytesOf(data) });
    return name;
  }

  /**
   * A weight tensor as float32 in the graph: stored as float32, or as float16 behind a Cast (so both
   * runtimes compute in float32 and only the file shrinks).
   */
  weight(base: string, dims: readonly number[], values: Float32Array): string {
    if (this.precision !== 'float16') return this.floats(base, dims, values);
    const name = this.unique(`${base}_f16`);
    this.initializers.push({
      name,
      dataType: OnnxType.float16,
      dims,
      raw: bytesOf(Uint16Array.from(values, toFloat16Bits)),
    });
    return this.op('Cast', [name], { to: OnnxType.float }, base);
  }

  /**
   * x [..., K] · w [K, N]. In int8 mode the activations are quantised per call to uint8
   * (DynamicQuantizeLinear) and w per output column to symmetric int8, multiplied with MatMulInteger and
   * rescaled by (activation scale × column scale).
   *
   * The int8 weights are stored as uint8 with zero point 128 (the same integers, shifted): ONNX Runtime's
   * u8×s8 kernel on x86 CPUs without VNNI (AVX2 only) adds pairs of u8·s8 products in 16 bits and
   * saturates (255·127·2 > 32,767), which took the worst per-window cosine to TF.js down to 0.977 on
   * such a machine; its u8×u8 kernel widens first and is exact everywhere, so every runtime computes
   * the same integers.
   */
  matMul(x: string, base: string, w: Float32Array, k: number, n: number): string {
    if (this.precision !== 'int8') return this.op('MatMul', [x, this.weight(base, [k, n], w)]);
    const q = new Int8Array(k * n);
    const scales = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      let max = 0;
      for (let i = 0; i < k; i++) max = Math.max(max, Math.abs(w[i * n + j] as number));
      const s = max > 0 ? max / 127 : 1;
      scales[j] = s;
      for (let i = 0; i < k; i++) q[i * n + j] = Math.round((w[i * n + j] as number) / s);
    }
    const shifted = Uint8Array.from(q, (v) => v + 128);
    const wq = this.unique(`${base}_int8`);
    this.initializers.push({ name: wq, dataType: OnnxType.uint8, dims: [k, n], raw: bytesOf(shifted) });
    const wZero = this.unique(`${base}_zero`);
    this.initializers.push({ name: wZero, dataType: OnnxType.uint8, dims: [], raw: Uint8Array.of(128) });
    const [xq, xScale, xZero] = this.opN('DynamicQuantizeLinear', [x], 3) as [string, string, string];
    const acc = this.op('MatMulInteger', [xq, wq, xZero, wZero]);
    const accF = this.op('Cast', [acc], { to: OnnxType.float });
    const scale = this.op('Mul', [xScale, this.floats(`${base}_scale`, [n], scales)]);
    return this.op('Mul', [accF, scale], undefined, base);
  }
}
