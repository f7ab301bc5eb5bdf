#!/usr/bin/env node
import { once } from 'node:events';
import { runCli } from './run-cli.js';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  drain: () =>
    process.stdout.writableNeedDrain ? once(process.stdout, 'drain').then(() => {}) : Promise.resolve(),
};

// A closed pipe also surfaces as an 'error' event on stdout; without a listener Node would crash on it.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// The one place heartline reads its environment; `runCli` parses it (src/environment.ts).
runCli(process.argv.slice(2), io, process.env).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(
      `heartline: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
