import { formatRdsampRows } from '@heartline/ecg/wfdb';
import { openWfdbSampleReader } from '@heartline/node-io';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline dump <record-path-without-extension> [--from T] [--to T] [--signals i,j,...]
                      [--physical] [--csv]

Prints samples like WFDB's rdsamp: one line per sample, the sample number (from 0) first, then the
selected signals in the order given, tab-separated (comma with --csv). Skew is applied, as rdsamp does.
Reads the signal files in blocks, so records of any length stream.

options:
  --from T        first sample: seconds (rounded to the nearest sample) or sN for sample N (default 0)
  --to T          end sample, exclusive (default: the end of the record)
  --signals LIST  comma-separated signal numbers from 0, in output order (default: all, header order)
  --physical      physical units with 3 decimals, '-' for invalid samples (default: raw ADC units,
                  invalid samples as -32768, as rdsamp prints them)
  --csv           separate fields with commas

Multi-frequency records print one line per frame; a signal with several samples per frame prints
their mean truncated toward zero (rdsamp without -H). Multi-segment records print their segments
concatenated: null segments and signals a segment lacks print as invalid samples; variable layouts
print in the layout header's calibration (as rdsamp does).`;

/** Flushes output in large pieces and waits when the destination asks for it (backpressure). */
class BufferedWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly io: CommandIo,
    private readonly limit = 1 << 16,
  ) {}

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.limit) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    this.io.stdout(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    await this.io.drain?.();
  }
}

/** Parses a time argument: `sN` is sample N, anything else seconds rounded to the nearest sample. */
export function parseSampleTime(text: string, frameRate: number, flag: string): number {
  const sample = /^s(\d+)$/.exec(text);
  if (sample) return Number(sample[1]);
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`${flag} '${text}' is not a time (seconds ≥ 0, or sN for sample N)`);
  }
  return Math.round(seconds * frameRate);
}

function parseSignals(text: string | undefined, signalCount: number): number[] {
  if (text === undefined) return Array.from({ length: signalCount }, (_, i) => i);
  return text.split(',').map((field) => {
    const i = Number(field);
    if (!/^\d+$/.test(field.trim()) || i >= signalCount) {
      throw new UsageError(`--signals entry '${field}' is not a signal number in 0…${signalCount - 1}`);
    }
    return i;
  });
}

/** `heartline dump`: rdsamp-compatible sample listing of a WFDB record, streamed. */
export const dumpCommand: Command = {
  name: 'dump',
  summary: 'print the samples of a WFDB record like rdsamp (raw or physical, text or CSV)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      from: { type: 'string' },
      to: { type: 'string' },
      signals: { type: 'string' },
      physical: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1)
      throw new UsageError('expected exactly one record path (without extension)');
    const reader = await openWfdbSampleReader(positionals[0] as string);
    try {
      const rate = reader.frameRate;
      const from = values.from === undefined ? 0 : parseSampleTime(values.from, rate, '--from');
      const to = values.to === undefined ? reader.frameCount : parseSampleTime(values.to, rate, '--to');
      if (to > reader.frameCount || from > to) {
        throw new UsageError(
          `range [${from}, ${to}) is outside the record's ${reader.frameCount} samples or reversed`,
        );
      }
      const columns = parseSignals(values.signals, reader.signals.length);
      const options = { columns, physical: values.physical, separator: values.csv ? ',' : '\t' };
      const out = new BufferedWriter(io);
      for await (const block of reader.blocks(from, to)) await out.write(formatRdsampRows(block, options));
      await out.flush();
      return 0;
    } finally {
      await reader.close();
    }
  },
};
