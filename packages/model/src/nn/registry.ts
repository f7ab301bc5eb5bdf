/** Typed registries of encoder factories, so a config names its encoders instead of `if` chains. */
import { InvalidArgumentError } from '../errors.js';
import type { CgDmerConfig } from './config.js';
import { createFactorisedEcgEncoder, type EcgEncoder } from './ecg-encoder.js';
import { createBertSmall, type TextEncoder } from './text-encoder.js';
import type { WeightStore } from './weights.js';

/** Builds an encoder's weights into a store and returns its forward function. */
export type EncoderFactory<E> = (store: WeightStore, config: CgDmerConfig) => E;

/** ECG encoders by config name. */
export const ECG_ENCODERS: Readonly<Record<string, EncoderFactory<EcgEncoder>>> = {
  'factorised-transformer': createFactorisedEcgEncoder,
};

/** Text encoders by config name. */
export const TEXT_ENCODERS: Readonly<Record<string, EncoderFactory<TextEncoder>>> = {
  'bert-small': createBertSmall,
};

/** The factory registered as `name` in `registry`; InvalidArgumentError naming the known ones otherwise. */
export function lookupEncoder<E>(
  registry: Readonly<Record<string, EncoderFactory<E>>>,
  parameter: string,
  name: string,
): EncoderFactory<E> {
  const factory = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (!factory)
    throw new InvalidArgumentError(parameter, name, `must be one of ${Object.keys(registry).join(', ')}`);
  return factory;
}
