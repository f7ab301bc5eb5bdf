import type { Command } from '../command.js';
import { cloudCommand } from './cloud.js';
import { deviceCommand } from './device.js';
import { deviceAddCommand } from './device-add.js';
import { deviceCertCommand } from './device-cert.js';
import { deviceRevokeCommand, deviceRotateCommand } from './device-revoke.js';
import { dumpCommand } from './dump.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { fhirCommand } from './fhir.js';
import { inspectCommand } from './inspect.js';
import { startCommand } from './start.js';
import { synthCommand } from './synth.js';
import { tokenCommand } from './token.js';
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
  deviceCommand,
  exportCommand,
  cloudCommand,
  deviceAddCommand,
  deviceCertCommand,
  deviceRevokeCommand,
  deviceRotateCommand,
  tokenCommand,
];
