/**
 * Every size and weight of the CG-DMER model in one typed object, with documented defaults, named presets
 * and one validation function (ranges checked here and nowhere else).
 */
import { InvalidArgumentError } from '../errors.js';

/** The CG-DMER model and loss configuration. */
export interface CgDmerConfig {
  /** Samples per second of the model input. Default 100 (range 50–1000). */
  readonly sampleRate: number;
  /** Leads per window. Default 12 (range 1–12). */
  readonly leads: number;
  /** Samples per lead per window. Default 1000 (10 s at 100 Hz); must be a multiple of `patchSize`. */
  readonly windowSamples: number;
  /** Samples per patch token. Default 50 (→ 20 patches per lead, 240 tokens). Range 5–500. */
  readonly patchSize: number;
  /** ECG encoder registry name. Default 'factorised-transformer'. */
  readonly ecgEncoder: string;
  /** Width d of the ECG encoder (and of h_ecg). Default 64 (range 8–512, a multiple of `ecgHeads`). */
  readonly ecgDim: number;
  /** Transformer blocks of the ECG encoder (each: temporal + spatial attention + FFN). Default 2 (1–12). */
  readonly ecgLayers: number;
  /** Attention heads of the ECG encoder. Default 4 (1–16). */
  readonly ecgHeads: number;
  /** Hidden width of every feed-forward block as a multiple of its input width. Default 2 (1–8). */
  readonly ffnMult: number;
  /** Text encoder registry name. Default 'bert-small'. */
  readonly textEncoder: string;
  /** Width of the text encoder. Default 64 (range 8–512, a multiple of `textHeads`). */
  readonly textDim: number;
  /** Transformer blocks of the text encoder. Default 2 (1–12). */
  readonly textLayers: number;
  /** Attention heads of the text encoder. Default 4 (1–16). */
  readonly textHeads: number;
  /** Longest token sequence (learned positions). Default 64 (range 4–512). */
  readonly maxTokens: number;
  /** WordPiece vocabulary size, taken from the tokenizer. Default 1024 (range 8–65536). */
  readonly vocabSize: number;
  /** Width of the shared space z (L2-normalised). Default 128 (range 8–1024). */
  readonly sharedDim: number;
  /** Width of the modality-specific heads s_ecg, s_txt. Default 64 (range 8–1024). */
  readonly specificDim: number;
  /** Dropout probability. Default 0 and, for now, the only accepted value: the CPU runs are short and the losses regularise. */
  readonly dropout: number;
  /** Weight of the symmetric InfoNCE loss. Default 1 (range 0–100). */
  readonly lambdaClip: number;
  /** Weight of the spatial-temporal masked-modelling loss. Default 1 (range 0–100). */
  readonly lambdaStmm: number;
  /** Weight of the disentanglement loss. Default 0.1 (range 0–100). */
  readonly lambdaDis: number;
  /** Fraction of the usable leads masked for ST-MM. Default 0.2 (range 0–1). */
  readonly leadMaskRatio: number;
  /** Fraction of the window masked (one contiguous span) on the masked leads. Default 0.3 (range 0–1). */
  readonly timeMaskRatio: number;
  /** Initial InfoNCE temperature τ (learned as log(1/τ), clamped to [1/100, 1]). Default 0.07. */
  readonly initialTemperature: number;
}

/** The default configuration (what `--preset demo` trains and the device runs). */
export const DEFAULT_CONFIG: CgDmerConfig = {
  sampleRate: 100,
  leads: 12,
  windowSamples: 1000,
  patchSize: 50,
  ecgEncoder: 'factorised-transformer',
  ecgDim: 64,
  ecgLayers: 2,
  ecgHeads: 4,
  ffnMult: 2,
  textEncoder: 'bert-small',
  textDim: 64,
  textLayers: 2,
  textHeads: 4,
  maxTokens: 64,
  vocabSize: 1024,
  sharedDim: 128,
  specificDim: 64,
  dropout: 0,
  lambdaClip: 1,
  lambdaStmm: 1,
  lambdaDis: 0.1,
  leadMaskRatio: 0.2,
  timeMaskRatio: 0.3,
  initialTemperature: 0.07,
};

/** Named presets: `tiny` for tests, `demo` (the default) for CPU training, `gpu` for GPU hosts. */
export const CONFIG_PRESETS = {
  tiny: {
    ...DEFAULT_CONFIG,
    ecgDim: 16,
    ecgLayers: 1,
    ecgHeads: 2,
    textDim: 16,
    textLayers: 1,
    textHeads: 2,
    maxTokens: 16,
    vocabSize: 64,
    sharedDim: 16,
    specificDim: 8,
  },
  demo: DEFAULT_CONFIG,
  gpu: {
    ...DEFAULT_CONFIG,
    ecgDim: 128,
    ecgLayers: 4,
    textDim: 128,
    textLayers: 4,
    sharedDim: 128,
    specificDim: 64,
  },
} as const satisfies Record<string, CgDmerConfig>;

/** A preset name. */
export type ConfigPreset = keyof typeof CONFIG_PRESETS;

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, value, `must be an integer in [${min}, ${max}]`);
  }
}

function checkNum(name: string, value: number, min: number, max: number, openMin = false): void {
  if (!Number.isFinite(value) || value < min || value > max || (openMin && value === min)) {
    throw new InvalidArgumentError(name, value, `must be a number in ${openMin ? '(' : '['}${min}, ${max}]`);
  }
}

/** Merges `overrides` over a preset (default `demo`) and validates every field; throws InvalidArgumentError. */
export function resolveConfig(
  overrides: Partial<CgDmerConfig> = {},
  preset: ConfigPreset = 'demo',
): CgDmerConfig {
  const base = CONFIG_PRESETS[preset] as CgDmerConfig | undefined;
  if (!base)
    throw new InvalidArgumentError(
      'preset',
      preset,
      `must be one of ${Object.keys(CONFIG_PRESETS).join(', ')}`,
    );
  return validateConfig({ ...base, ...overrides });
}

/** Checks every field of a complete configuration and returns it; throws InvalidArgumentError naming the field. */
export function validateConfig(c: CgDmerConfig): CgDmerConfig {
  checkInt('sampleRate', c.sampleRate, 50, 1000);
  checkInt('leads', c.leads, 1, 12);
  checkInt('patchSize', c.patchSize, 5, 500);
  checkInt('windowSamples', c.windowSamples, c.patchSize, 100_000);
  if (c.windowSamples % c.patchSize !== 0) {
    throw new InvalidArgumentError(
      'windowSamples',
      c.windowSamples,
      `must be a multiple of patchSize ${c.patchSize}`,
    );
  }
  checkInt('ecgDim', c.ecgDim, 8, 512);
  checkInt('ecgLayers', c.ecgLayers, 1, 12);
  checkInt('ecgHeads', c.ecgHeads, 1, 16);
  if (c.ecgDim % c.ecgHeads !== 0) {
    throw new InvalidArgumentError('ecgHeads', c.ecgHeads, `must divide ecgDim ${c.ecgDim}`);
  }
  checkInt('ffnMult', c.ffnMult, 1, 8);
  checkInt('textDim', c.textDim, 8, 512);
  checkInt('textLayers', c.textLayers, 1, 12);
  checkInt('textHeads', c.textHeads, 1, 16);
  if (c.textDim % c.textHeads !== 0) {
    throw new InvalidArgumentError('textHeads', c.textHeads, `must divide textDim ${c.textDim}`);
  }
  checkInt('maxTokens', c.maxTokens, 4, 512);
  checkInt('vocabSize', c.vocabSize, 8, 65_536);
  checkInt('sharedDim', c.sharedDim, 8, 1024);
  checkInt('specificDim', c.specificDim, 8, 1024);
  checkNum('dropout', c.dropout, 0, 0);
  checkNum('lambdaClip', c.lambdaClip, 0, 100);
  checkNum('lambdaStmm', c.lambdaStmm, 0, 100);
  checkNum('lambdaDis', c.lambdaDis, 0, 100);
  checkNum('leadMaskRatio', c.leadMaskRatio, 0, 1);
  checkNum('timeMaskRatio', c.timeMaskRatio, 0, 1);
  checkNum('initialTemperature', c.initialTemperature, 0.01, 1);
  if (typeof c.ecgEncoder !== 'string' || c.ecgEncoder === '') {
    throw new InvalidArgumentError('ecgEncoder', c.ecgEncoder, 'must name a registered ECG encoder');
  }
  if (typeof c.textEncoder !== 'string' || c.textEncoder === '') {
    throw new InvalidArgumentError('textEncoder', c.textEncoder, 'must name a registered text encoder');
  }
  return c;
}

/** Patches per lead (`windowSamples / patchSize`). */
export function patchesPerLead(c: CgDmerConfig): number {
  return c.windowSamples / c.patchSize;
}
