/**
 * The subset of ONNX's protobuf schema (onnx.proto, IR version 8) the exporter writes: tensors, nodes with
 * attributes, value infos with symbolic dimensions, the graph and the model with its metadata.
 */
import { ProtoWriter } from './protobuf-writer.js';

/** ONNX TensorProto.DataType codes used here. */
export const OnnxType = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  float16: 10,
} as const;

/** An ONNX element type code. */
export type OnnxTypeCode = (typeof OnnxType)[keyof typeof OnnxType];

/** A tensor initializer: dims plus little-endian raw bytes of `dataType`. */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxTypeCode;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

/** An attribute value: int, float, ints or a tensor. */
export type OnnxAttribute = number | { readonly float: number } | readonly number[] | OnnxTensor;

/** One graph node. */
export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input or output: a tensor type with fixed (number) or symbolic (string) dimensions. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxTypeCode;
  readonly shape: readonly (number | string)[];
}

/** What `encodeModel` writes. */
export interface OnnxModel {
  readonly graphName: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly opset: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

function tensorMessage(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  return w.int(2, t.dataType).string(8, t.name).bytes(9, t.raw);
}

const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_TENSOR = 4;
const ATTR_INTS = 7;

function attributeMessage(name: string, value: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') return w.int(3, value).int(20, ATTR_INT);
  if (Array.isArray(value)) return w.packedInts(8, value as number[]).int(20, ATTR_INTS);
  if ('float' in value) return w.float(2, value.float).int(20, ATTR_FLOAT);
  return w.message(5, tensorMessage(value as OnnxTensor)).int(20, ATTR_TENSOR);
}

function nodeMessage(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attributeMessage(k, v));
  return w;
}

function valueInfoMessage(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

/** Serialises a model to ONNX ModelProto bytes (IR version 8, default domain at `opset`). */
export function encodeModel(m: OnnxModel): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of m.nodes) graph.message(1, nodeMessage(n));
  graph.string(2, m.graphName);
  for (const t of m.initializers) graph.message(5, tensorMessage(t));
  for (const i of m.inputs) graph.message(11, valueInfoMessage(i));
  for (const o of m.outputs) graph.message(12, valueInfoMessage(o));
  const model = new ProtoWriter()
    .int(1, 8)
    .string(2, m.producerName)
    .string(3, m.producerVersion)
    .string(6, m.docString ?? '')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, m.opset));
  for (const [key, value] of Object.entries(m.metadata)) {
    model.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return model.finish().slice();
}
