/**
 * The `--source SPEC` grammar: `wfdb:PATH`, `ptbxl:DIR` or `synthetic[:SEED][:CODES]` (CODES = SCP codes
 * separated by commas, e.g. `synthetic:7:AFIB,LVH`). A bad spec is an InvalidArgumentError naming it.
 */

import { MODELLED_CODES } from '@heartline/ecg/synth';
import { InvalidArgumentError } from '@heartline/model/errors';
import type { EcgSource, SourceOptions } from './ecg-source.js';
import { ptbxlSource } from './ptbxl-source.js';
import { type SyntheticSourceOptions, syntheticSource } from './synthetic-source.js';
import { wfdbSource } from './wfdb-source.js';

/** A parsed source spec. */
export type SourceSpec =
  | { readonly kind: 'wfdb'; readonly path: string }
  | { readonly kind: 'ptbxl'; readonly dir: string }
  | { readonly kind: 'synthetic'; readonly seed: number | string; readonly conditions?: readonly string[] };

const EXPECTED = 'expected wfdb:PATH, ptbxl:DIR or synthetic[:SEED][:CODES] (CODES like NORM or AFIB,LVH)';

/** Parses a `--source` spec; throws InvalidArgumentError('--source', spec, …) when it is malformed. */
export function parseSourceSpec(spec: string): SourceSpec {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? undefined : spec.slice(colon + 1);
  if (kind === 'wfdb' || kind === 'ptbxl') {
    if (!rest) throw new InvalidArgumentError('--source', spec, `${kind} needs a path; ${EXPECTED}`);
    return kind === 'wfdb' ? { kind, path: rest } : { kind, dir: rest };
  }
  if (kind !== 'synthetic') throw new InvalidArgumentError('--source', spec, EXPECTED);
  const parts = rest === undefined ? [] : rest.split(':');
  if (parts.length > 2 || parts.some((p) => p === ''))
    throw new InvalidArgumentError('--source', spec, EXPECTED);
  const [seedText, codesText] = parts;
  const seed = seedText === undefined ? 1 : /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;
  if (codesText === undefined) return { kind, seed };
  const conditions = codesText.split(',').map((c) => c.trim().toUpperCase());
  const unknown = conditions.filter((c) => !(MODELLED_CODES as readonly string[]).includes(c));
  if (unknown.length > 0 || conditions.includes('')) {
    throw new InvalidArgumentError(
      '--source',
      spec,
      `unknown SCP code ${unknown.join(', ') || "''"}; the generator models ${MODELLED_CODES.join(', ')}`,
    );
  }
  return { kind, seed, conditions };
}

/** Options of `openSource` beyond the spec. */
export interface OpenSourceOptions extends SourceOptions {
  /** Replay sources start over after their last window. Default false. */
  readonly loop?: boolean;
  /** Synthetic sources only: a lead that falls off from a window on. */
  readonly leadOff?: SyntheticSourceOptions['leadOff'];
  /** PTB-XL folders only: which waveform copy to replay (default 500 Hz, what a recorder delivers). */
  readonly rate?: 100 | 500;
}

/** The source a spec (text or parsed) describes. */
export function openSource(spec: string | SourceSpec, options: OpenSourceOptions = {}): EcgSource {
  const parsed = typeof spec === 'string' ? parseSourceSpec(spec) : spec;
  const { leadOff, rate, ...common } = options;
  switch (parsed.kind) {
    case 'wfdb':
      return wfdbSource(parsed.path, common);
    case 'ptbxl':
      return ptbxlSource(parsed.dir, { ...common, ...(rate ? { rate } : {}) });
    case 'synthetic':
      return syntheticSource({
        ...common,
        seed: parsed.seed,
        ...(parsed.conditions ? { conditions: parsed.conditions } : {}),
        ...(leadOff ? { leadOff } : {}),
      });
  }
}
