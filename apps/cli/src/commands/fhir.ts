import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FhirError } from '@heartline/ecg/errors';
import { ecgToFhirObservation, fhirObservationToEcg, wfdbRecordToEcgSamples } from '@heartline/ecg/fhir';
import { encodeWfdbRecord } from '@heartline/ecg/wfdb';
import { readWfdbRecord } from '@heartline/node-io';
import { type Command, type CommandIo, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline fhir export <record-path-without-extension> [--out FILE]
       heartline fhir import <observation.json> --out DIR [--name RECORD]

export: writes the record's standard leads (I…V6) as one FHIR R4 ECG Observation (MDC_ECG_ELEC_POTL,
        one SampledData component per lead, raw digital values with factor = 1/gain) to FILE or stdout.
import: reads such an Observation and writes DIR/RECORD.hea + RECORD.dat in WFDB format 16; the
        digital values are exactly those exported. RECORD defaults to the JSON file's name.`;

async function exportRecord(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { out: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('fhir export: expected one record path');
  const { record } = await readWfdbRecord(positionals[0] as string);
  const { ecg, skipped } = wfdbRecordToEcgSamples(record);
  if (ecg.leads.length === 0) {
    throw new FhirError(record.header.source, [`no standard ECG lead among ${skipped.join(', ')}`]);
  }
  const observation = ecgToFhirObservation(ecg, {
    id: record.header.recordName,
    notes: record.header.comments,
  });
  const json = `${JSON.stringify(observation, null, 2)}\n`;
  if (values.out === undefined) io.stdout(json);
  else await writeFile(values.out, json);
  if (skipped.length > 0) io.stderr(`fhir export: skipped non-standard signals: ${skipped.join(', ')}\n`);
  return 0;
}

async function importObservation(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, { out: { type: 'string' }, name: { type: 'string' } });
  if (positionals.length !== 1 || values.out === undefined) {
    throw new UsageError('fhir import: expected one JSON file and --out DIR');
  }
  const path = positionals[0] as string;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new FhirError(path, [`not JSON: ${error.message}`]);
    throw error;
  }
  const ecg = fhirObservationToEcg(json, path);
  const recordName =
    values.name ??
    basename(path)
      .replace(/\.json$/i, '')
      .replace(/[^A-Za-z0-9_-]/g, '_');
  const encoded = encodeWfdbRecord({
    recordName,
    sampleRate: ecg.sampleRate,
    signals: ecg.leads.map((l) => ({
      name: l.lead,
      units: l.units,
      gain: l.gain,
      baseline: l.baseline,
      digital: Int16Array.from(l.digital),
    })),
  });
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, `${recordName}.hea`), encoded.header);
  await writeFile(join(values.out, encoded.dataFileName), encoded.data);
  io.stdout(`wrote ${join(values.out, recordName)} (${ecg.leads.length} leads at ${ecg.sampleRate} Hz)\n`);
  return 0;
}

/** `heartline fhir`: WFDB record ↔ FHIR R4 ECG Observation, lossless in digital units. */
export const fhirCommand: Command = {
  name: 'fhir',
  summary: 'export a WFDB record as a FHIR R4 ECG Observation, or import one as a WFDB record',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'export') return exportRecord(rest, io);
    if (sub === 'import') return importObservation(rest, io);
    throw new UsageError(`expected 'export' or 'import', got ${JSON.stringify(sub ?? '')}`);
  },
};
