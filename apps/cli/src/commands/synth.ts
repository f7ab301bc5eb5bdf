import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseCsv, parsePtbxlDatabase, parseScpStatements, SCP_STATEMENT_COLUMNS } from '@heartline/ecg/data';
import { generateDataset, generatePaired } from '@heartline/ecg/synth';
import { writeDataset } from '@heartline/node-io';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { integerOption } from '../option-values.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline synth --out DIR --n N --seed S [--rate 500] [--seconds 10] [--no-noise]
       heartline synth --reports FILE --out DIR --seed S [--rate 500] [--seconds 10] [--no-noise]

Writes a synthetic 12-lead ECG dataset in PTB-XL layout: records<rate>/ and records100/ (WFDB format 16,
gain 1000/mV), ptbxl_database.csv with free-text reports (German and English) and scp_codes, and
scp_statements.csv for the codes used.
With --reports, FILE is a PTB-XL ptbxl_database.csv: every row gets a signal consistent with its SCP codes
(the codes the generator models) and keeps its real report; synth_pairing.csv lists what was not modelled.

options:
  --out DIR      output folder (created if missing)
  --n N          number of records (without --reports)
  --seed S       seed; the same seed gives the same bytes
  --rate R       high sample rate, a multiple of 100 (default 500); a 100 Hz copy is always written
  --seconds T    record length in seconds (default 10)
  --no-noise     clean signals without artefacts`;

function progress(io: CommandIo, total: number): ((done: number) => void) | undefined {
  if (total < 200) return undefined;
  const step = Math.max(1, Math.floor(total / 20));
  return (done) => {
    if (done % step === 0 || done === total) io.stderr(`synth: ${done}/${total} records\n`);
  };
}

async function readPairedRows(file: string) {
  const text = await readFile(file, 'utf8');
  const statementsPath = join(dirname(file), 'scp_statements.csv');
  // Labels are not needed here, only the codes; an empty table parses when the statements file is absent.
  const statementsText = existsSync(statementsPath)
    ? await readFile(statementsPath, 'utf8')
    : `${SCP_STATEMENT_COLUMNS.join(',')}\n`;
  const statements = parseScpStatements(statementsText, statementsPath);
  const rows = parsePtbxlDatabase(text, statements, { source: file }).map((r) => ({
    ecgId: r.ecgId,
    report: r.report.raw,
    scpCodes: r.scpCodes,
  }));
  // The source's statement rows, by code, so codes the generator does not model keep their labels.
  const table = parseCsv(statementsText, { source: statementsPath });
  const sourceStatements = new Map(
    table.rows.filter((row) => row.length === SCP_STATEMENT_COLUMNS.length).map((row) => [row[0]!, row]),
  );
  return { rows, sourceStatements };
}

/** `heartline synth`: writes a synthetic PTB-XL-layout dataset, or pairs real reports with synthetic signals. */
export const synthCommand: Command = {
  name: 'synth',
  summary: 'write a synthetic 12-lead ECG dataset in PTB-XL layout (or pair real reports with signals)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      out: { type: 'string' },
      n: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      reports: { type: 'string' },
      'no-noise': { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.out) throw new UsageError('--out DIR is required');
    if (values.seed === undefined) throw new UsageError('--seed S is required');
    const seed = /^-?\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
    const rate = integerOption('--rate', values.rate, 1);
    const seconds = integerOption('--seconds', values.seconds, 1);
    const noise = values['no-noise'] ? ('none' as const) : ('random' as const);
    const common = { ...(rate ? { rate } : {}), ...(seconds ? { seconds } : {}), noise };
    if (values.reports !== undefined) {
      if (values.n !== undefined) throw new UsageError('--n is not used with --reports (one record per row)');
      const { rows, sourceStatements } = await readPairedRows(values.reports);
      const tick = progress(io, rows.length);
      const paired = generatePaired(rows, seed, {
        ...common,
        sourceStatements,
        ...(tick ? { onProgress: tick } : {}),
      });
      const written = await writeDataset(values.out, paired.files);
      const partial = paired.rows.filter((r) => r.notModelled.length > 0).length;
      io.stdout(
        `synth: paired ${rows.length} real reports with synthetic signals in ${values.out} (${written} files); ` +
          `${partial} rows have codes the generator does not model (see synth_pairing.csv)\n`,
      );
      return 0;
    }
    const n = integerOption('--n', values.n, 1);
    if (n === undefined) throw new UsageError('--n N is required (or --reports FILE)');
    const tick = progress(io, n);
    const files = generateDataset({ n, seed, ...common, ...(tick ? { onProgress: tick } : {}) });
    const written = await writeDataset(values.out, files);
    io.stdout(`synth: wrote ${n} synthetic records (${written} files) to ${values.out}\n`);
    return 0;
  },
};
