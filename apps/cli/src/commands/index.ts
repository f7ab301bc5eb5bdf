import type { Command } from '../command.js';
import { dumpCommand } from './dump.js';
import { evalCommand } from './eval.js';
import { fhirCommand } from './fhir.js';
import { inspectCommand } from './inspect.js';
import { startCommand } from './start.js';
import { synthCommand } from './synth.js';
import { trainCommand } from './train.js';

/** Every `heartline` subcommand, in the order `heartline help` lists them. */
export const commands: readonly Command[] = [
  startCommand,
  inspectCommand,
  synthCommand,
  dumpCommand,
  fhirCommand,
  trainCommand,
  evalCommand,
];
