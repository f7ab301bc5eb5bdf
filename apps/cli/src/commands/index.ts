import type { Command } from '../command.js';

/** Every `heartline` subcommand, in the order `heartline help` lists them. */
export const commands: readonly Command[] = [];
