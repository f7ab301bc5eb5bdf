import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateDataset } from '@heartline/model/synth';
import { sharedDataDir, writeDataset } from '@heartline/node-io';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { describeSummary, summariseFolder } from '../pipeline/summarise-folder.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline start [--data DIR] [--n N] [--seed S]

The main job. Today it runs the data path end to end: it generates (once; reused afterwards) a seeded
synthetic 12-lead dataset in PTB-XL layout under DIR, reads it back through the WFDB + PTB-XL reader,
preprocesses every record into 10 s model windows with lead-quality masks, does the same for the real
PTB-XL sample when it is present beside the repository, and prints what it found.

options:
  --data DIR   data directory (default .heartline)
  --n N        synthetic records to generate on first start (default 60)
  --seed S     seed of the synthetic dataset (default 1)`;

function progressPrinter(io: CommandIo, label: string): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth === shown && done !== total) return;
    shown = tenth;
    const bar = '#'.repeat(tenth).padEnd(10, '.');
    io.stderr(`  ${label} [${bar}] ${done}/${total}\n`);
  };
}

/** `heartline start`: the main job (what `pnpm start` runs). */
export const startCommand: Command = {
  name: 'start',
  summary: 'the main job: build or reuse the data, run the preprocessing path, report what it did',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      data: { type: 'string', default: '.heartline' },
      n: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const n = Number(values.n);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--n must be a positive integer, got '${values.n}'`);
    const seed = /^-?\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
    const dataDir = resolve(values.data);
    const synthDir = join(dataDir, `synthetic-n${n}-seed${values.seed}`);

    io.stdout(`heartline start: data directory ${dataDir}\n`);
    if (existsSync(join(synthDir, 'ptbxl_database.csv'))) {
      io.stdout(`reusing the synthetic dataset in ${synthDir}\n`);
    } else {
      io.stdout(`generating ${n} synthetic 12-lead ECGs with reports (seed ${values.seed})…\n`);
      const started = performance.now();
      const files = generateDataset({ n, seed, onProgress: progressPrinter(io, 'synth') });
      const written = await writeDataset(synthDir, files);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      io.stdout(
        `wrote ${written} files (WFDB + ptbxl_database.csv + scp_statements.csv) to ${synthDir} in ${seconds} s\n`,
      );
    }

    io.stdout(
      '\nreading back and preprocessing (lead mapping, 500→100 Hz, 0.5–40 Hz band-pass, quality, windows)…\n',
    );
    const synthetic = await summariseFolder(synthDir, 500, progressPrinter(io, 'synthetic'));
    io.stdout(`${describeSummary('synthetic dataset', synthetic)}\n`);

    const real = sharedDataDir('ptbxl-500');
    if (real) {
      const summary = await summariseFolder(real, 500, progressPrinter(io, 'PTB-XL'));
      io.stdout(`\n${describeSummary('real PTB-XL sample', summary)}\n`);
    } else {
      io.stdout(
        '\nno real PTB-XL sample beside the repository (../shared/data/ptbxl-500): synthetic data only\n',
      );
    }
    io.stdout(
      '\nDone. Next: `pnpm heartline inspect <record>` checks any WFDB record; the cloud, the devices and the\n' +
        'dashboard join this command as their issues land.\n',
    );
    return 0;
  },
};
