/**
 * The ECG-specific encoder as an ONNX graph (opset 17, standard ops only), mirroring
 * `createFactorisedEcgEncoder` in ../nn/ecg-encoder.ts operation for operation: patch embedding as
 * reshape + MatMul, lead + time embeddings, pre-LN blocks of temporal then spatial attention (masked
 * leads' keys get −1e9) and an Erf-GELU feed-forward, a final LayerNormalization and a mean over the
 * usable leads' tokens. Tokens stay a [B, leads, patches, d] grid throughout.
 */
import { InvalidArgumentError } from '../errors.js';
import { type CgDmerConfig, patchesPerLead, validateConfig } from '../nn/config.js';
import type { WeightMap } from '../release/packed-weights.js';
import { GraphBuilder, type WeightPrecision } from './graph-builder.js';
import { encodeModel, OnnxType } from './onnx-proto.js';

/** ONNX opset the exporter targets. */
export const ONNX_OPSET = 17;

/** Names of the exported graph's inputs and output. */
export const ONNX_IO = { ecg: 'ecg', leadMask: 'lead_mask', hEcg: 'h_ecg' } as const;

/** Options of `exportEcgEncoderOnnx`. */
export interface ExportEcgEncoderOptions {
  /** The model configuration (only the ECG encoder fields are used). */
  readonly config: CgDmerConfig;
  /** Weights by name; every `ecg/…` weight the encoder uses must be present. */
  readonly weights: WeightMap;
  /** How weight matrices are stored. Default 'float32'. */
  readonly precision?: WeightPrecision;
  /** Extra `metadata_props` (e.g. release id, preprocessing constants). Default none. */
  readonly metadata?: Readonly<Record<string, string>>;
}

interface Ctx {
  readonly g: GraphBuilder;
  readonly weights: WeightMap;
  readonly c: CgDmerConfig;
  readonly patches: number;
}

function get(ctx: Ctx, name: string, shape: readonly number[]): Float32Array {
  const w = ctx.weights[name];
  if (!w) throw new InvalidArgumentError('weights', name, 'is missing (needed by the ONNX export)');
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new InvalidArgumentError(`weights["${name}"].shape`, w.shape, `must be [${shape.join(', ')}]`);
  }
  return w.values;
}

function layerNorm(ctx: Ctx, x: string, prefix: string): string {
  const d = ctx.c.ecgDim;
  const g = ctx.g.weight(`${prefix}/g`, [d], get(ctx, `${prefix}/g`, [d]));
  const b = ctx.g.weight(`${prefix}/b`, [d], get(ctx, `${prefix}/b`, [d]));
  return ctx.g.op('LayerNormalization', [x, g, b], { axis: -1, epsilon: { float: 1e-5 } }, prefix);
}

function dense(ctx: Ctx, x: string, prefix: string, k: number, n: number): string {
  const y = ctx.g.matMul(x, `${prefix}/w`, get(ctx, `${prefix}/w`, [k, n]), k, n);
  return ctx.g.op('Add', [y, ctx.g.weight(`${prefix}/b`, [n], get(ctx, `${prefix}/b`, [n]))]);
}

/**
 * x + Out(Attention(LN(x))) along the lead axis ('spatial', with the key bias) or the time axis
 * ('temporal'). `toSeq` orders the [B, L, T, H, dh] view as [batch-like…, H, seq, dh].
 */
function attention(ctx: Ctx, x: string, prefix: string, kind: 'temporal' | 'spatial', bias?: string): string {
  const { g, c, patches } = ctx;
  const d = c.ecgDim;
  const heads = c.ecgHeads;
  const dh = d / heads;
  const normed = layerNorm(ctx, x, `${prefix}/norm`);
  const split = g.int64s(`${prefix}/split_shape`, [0, c.leads, patches, heads, dh]);
  const toSeq = kind === 'temporal' ? [0, 1, 3, 2, 4] : [0, 2, 3, 1, 4];
  const toKeysT = kind === 'temporal' ? [0, 1, 3, 4, 2] : [0, 2, 3, 4, 1];
  const back = kind === 'temporal' ? [0, 1, 3, 2, 4] : [0, 3, 1, 2, 4];
  const view = (y: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [y, split])], { perm });
  // Three projections, as TF.js runs them (a fused [d, 3d] MatMul + Split measured no faster here).
  const qRaw = dense(ctx, normed, `${prefix}/q`, d, d);
  const k = dense(ctx, normed, `${prefix}/k`, d, d);
  const v = dense(ctx, normed, `${prefix}/v`, d, d);
  const q = g.op('Mul', [qRaw, g.floats('scale', [], [1 / Math.sqrt(dh)])]);
  let scores = g.op('MatMul', [view(q, toSeq), view(k, toKeysT)]);
  if (bias) scores = g.op('Add', [scores, bias]);
  const o = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), view(v, toSeq)]);
  const merged = g.op('Reshape', [
    g.op('Transpose', [o], { perm: back }),
    g.int64s(`${prefix}/merge_shape`, [0, c.leads, patches, d]),
  ]);
  return g.op('Add', [x, dense(ctx, merged, `${prefix}/out`, d, d)], undefined, `${prefix}/residual`);
}

function ffn(ctx: Ctx, x: string, prefix: string): string {
  const { g, c } = ctx;
  const d = c.ecgDim;
  const hidden = c.ffnMult * d;
  const h = dense(ctx, layerNorm(ctx, x, `${prefix}/norm`), `${prefix}/fc1`, d, hidden);
  // Exact GELU written as TF.js computes it: (x·0.5)·(erf(x·√½) + 1).
  const half = g.op('Mul', [h, g.floats('half', [], [0.5])]);
  const erf = g.op('Erf', [g.op('Mul', [h, g.floats('sqrt_half', [], [Math.SQRT1_2])])]);
  const gelu = g.op('Mul', [half, g.op('Add', [erf, g.floats('one', [], [1])])]);
  return g.op('Add', [x, dense(ctx, gelu, `${prefix}/fc2`, hidden, d)], undefined, `${prefix}/residual`);
}

/** Writes the ECG-specific encoder as ONNX ModelProto bytes: `ecg` [B, leads, samples], `lead_mask` [B, leads] → `h_ecg` [B, d]. */
export function exportEcgEncoderOnnx(options: ExportEcgEncoderOptions): Uint8Array {
  const c = validateConfig(options.config);
  if (c.ecgEncoder !== 'factorised-transformer') {
    throw new InvalidArgumentError(
      'config.ecgEncoder',
      c.ecgEncoder,
      "has no ONNX export (only 'factorised-transformer')",
    );
  }
  const precision = options.precision ?? 'float32';
  const g = new GraphBuilder(precision);
  const patches = patchesPerLead(c);
  const ctx: Ctx = { g, weights: options.weights, c, patches };
  const d = c.ecgDim;

  const flat = g.op('Reshape', [ONNX_IO.ecg, g.int64s('patch_shape', [-1, c.leads, patches, c.patchSize])]);
  const embedded = dense(ctx, flat, 'ecg/patch', c.patchSize, d);
  // lead_emb[l] + time_emb[t] folded into one constant: the same float32 sums TF.js computes.
  const leadEmb = get(ctx, 'ecg/lead_emb', [c.leads, d]);
  const timeEmb = get(ctx, 'ecg/time_emb', [patches, d]);
  const pos = new Float32Array(c.leads * patches * d);
  for (let l = 0; l < c.leads; l++)
    for (let t = 0; t < patches; t++)
      for (let j = 0; j < d; j++)
        pos[(l * patches + t) * d + j] = (leadEmb[l * d + j] as number) + (timeEmb[t * d + j] as number);
  let h = g.op('Add', [embedded, g.weight('ecg/position', [c.leads, patches, d], pos)]);

  // Spatial scores are [B, T, H, L, L]; the key bias (1 − mask)·(−1e9) broadcasts as [B, 1, 1, 1, L].
  const one = g.floats('one', [], [1]);
  const keyBias = g.op('Mul', [g.op('Sub', [one, ONNX_IO.leadMask]), g.floats('neg_big', [], [-1e9])]);
  const bias = g.op(
    'Reshape',
    [keyBias, g.int64s('bias_shape', [-1, 1, 1, 1, c.leads])],
    undefined,
    'spatial_bias',
  );
  for (let i = 0; i < c.ecgLayers; i++) {
    h = attention(ctx, h, `ecg/block${i}/temporal`, 'temporal');
    h = attention(ctx, h, `ecg/block${i}/spatial`, 'spatial', bias);
    h = ffn(ctx, h, `ecg/block${i}/ffn`);
  }
  const tokens = layerNorm(ctx, h, 'ecg/final_norm');
  // Mean over usable leads: weight = mask / (max(Σ mask, 1) · patches); an all-masked window gives zeros.
  const count = g.op('Max', [
    g.op('ReduceSum', [ONNX_IO.leadMask, g.int64s('axis1', [1])], { keepdims: 1 }),
    one,
  ]);
  const weights = g.op('Div', [ONNX_IO.leadMask, g.op('Mul', [count, g.floats('patches', [], [patches])])]);
  const perLead = g.op('Reshape', [weights, g.int64s('pool_shape', [-1, c.leads, 1, 1])]);
  const pooled = g.op('ReduceSum', [g.op('Mul', [tokens, perLead]), g.int64s('axes12', [1, 2])], {
    keepdims: 0,
  });
  g.nodes.push({ opType: 'Identity', inputs: [pooled], outputs: [ONNX_IO.hEcg], name: 'output' });

  return encodeModel({
    graphName: 'heartline_ecg_encoder',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [
      { name: ONNX_IO.ecg, elemType: OnnxType.float, shape: ['batch', c.leads, c.windowSamples] },
      { name: ONNX_IO.leadMask, elemType: OnnxType.float, shape: ['batch', c.leads] },
    ],
    outputs: [{ name: ONNX_IO.hEcg, elemType: OnnxType.float, shape: ['batch', d] }],
    opset: ONNX_OPSET,
    producerName: 'heartline',
    producerVersion: '1',
    docString: `heartline ECG-specific encoder (${precision} weights)`,
    metadata: {
      'heartline.precision': precision,
      'heartline.input': JSON.stringify({
        leads: c.leads,
        samples: c.windowSamples,
        sampleRate: c.sampleRate,
      }),
      'heartline.ecgDim': String(d),
      ...options.metadata,
    },
  });
}
