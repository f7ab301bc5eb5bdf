import {
  allChecksPass,
  type DecodedWfdbRecord,
  verifyWfdbRecord,
  type WfdbSignalCheck,
} from '@heartline/ecg/wfdb';
import { readWfdbRecord } from '@heartline/node-io';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline inspect <record-path-without-extension> [--json]

Reads a WFDB record (.hea + its signal files), prints the header summary and the decoded sample count
per signal, and checks every signal against its header checksum and initial value.
Exit code 0 when everything matches, 1 on a mismatch or an unreadable/unsupported record.

options:
  --json   print one JSON object instead of text`;

/** What `inspect --json` prints. */
export interface InspectReport {
  readonly record: string;
  readonly header: string;
  readonly samplingFrequency: number;
  readonly frameCount: number;
  readonly sampleCountInHeader: number | null;
  readonly durationSeconds: number;
  readonly baseTime: string | null;
  readonly baseDate: string | null;
  readonly comments: readonly string[];
  readonly signals: readonly {
    readonly index: number;
    readonly description: string;
    readonly fileName: string;
    readonly format: number;
    readonly samplesPerFrame: number;
    readonly skew: number;
    readonly byteOffset: number;
    readonly adcGain: number;
    readonly baseline: number;
    readonly units: string;
    readonly decodedSamples: number;
    readonly checksum: { expected: number | null; actual: number; matches: boolean | null };
    readonly initialValue: { expected: number | null; actual: number | null; matches: boolean | null };
  }[];
  readonly allMatch: boolean;
}

function report(record: DecodedWfdbRecord, checks: readonly WfdbSignalCheck[]): InspectReport {
  const h = record.header;
  return {
    record: h.recordName,
    header: h.source,
    samplingFrequency: h.samplingFrequency,
    frameCount: record.frameCount,
    sampleCountInHeader: h.sampleCount ?? null,
    durationSeconds: record.frameCount / h.samplingFrequency,
    baseTime: h.baseTime ?? null,
    baseDate: h.baseDate ?? null,
    comments: h.comments,
    signals: record.signals.map(({ spec }, i) => {
      const c = checks[i] as WfdbSignalCheck;
      return {
        index: i,
        description: spec.description,
        fileName: spec.fileName,
        format: spec.format,
        samplesPerFrame: spec.samplesPerFrame,
        skew: spec.skew,
        byteOffset: spec.byteOffset,
        adcGain: spec.adcGain,
        baseline: spec.baseline,
        units: spec.units,
        decodedSamples: c.sampleCount,
        checksum: {
          expected: c.expectedChecksum ?? null,
          actual: c.actualChecksum,
          matches: c.checksumMatches ?? null,
        },
        initialValue: {
          expected: c.expectedInitialValue ?? null,
          actual: c.actualInitialValue ?? null,
          matches: c.initialValueMatches ?? null,
        },
      };
    }),
    allMatch: allChecksPass(checks),
  };
}

const mark = (m: boolean | null): string => (m === null ? 'n/a' : m ? 'ok' : 'MISMATCH');

function text(r: InspectReport): string {
  const lines = [
    `record ${r.record} (${r.header})`,
    `  ${r.signals.length} signals at ${r.samplingFrequency} Hz, ${r.frameCount} samples (${r.durationSeconds.toFixed(3)} s)${
      r.sampleCountInHeader === null ? ', sample count derived from the file size' : ''
    }${r.baseTime ? `, starts ${r.baseTime}${r.baseDate ? ` ${r.baseDate}` : ''}` : ''}`,
  ];
  for (const s of r.signals) {
    const layout = `${s.format}${s.samplesPerFrame > 1 ? `x${s.samplesPerFrame}` : ''}${s.skew ? `:${s.skew}` : ''}${
      s.byteOffset ? `+${s.byteOffset}` : ''
    }`;
    lines.push(
      `  [${s.index}] ${s.description || '(no description)'}: ${s.fileName} format ${layout}, gain ${s.adcGain}(${s.baseline})/${s.units}, ${s.decodedSamples} samples, checksum ${mark(s.checksum.matches)}, initial value ${mark(s.initialValue.matches)}`,
    );
  }
  for (const c of r.comments) lines.push(`  # ${c}`);
  lines.push(
    r.allMatch ? 'all checksums and initial values match' : 'MISMATCH: see the signals marked above',
  );
  return `${lines.join('\n')}\n`;
}

/** `heartline inspect`: header summary, decoded sample counts, checksum and initial-value checks. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'summarise a WFDB record and check its checksums and initial values',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, { json: { type: 'boolean', default: false } });
    if (positionals.length !== 1)
      throw new UsageError('expected exactly one record path (without extension)');
    // Skew is left unapplied: the header's checksums and initial values describe the stored samples.
    const { record } = await readWfdbRecord(positionals[0] as string, { applySkew: false });
    const r = report(record, verifyWfdbRecord(record));
    io.stdout(values.json ? `${JSON.stringify(r, null, 2)}\n` : text(r));
    return r.allMatch ? 0 : 1;
  },
};
