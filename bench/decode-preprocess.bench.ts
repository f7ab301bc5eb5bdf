import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPreprocessor } from '@heartline/ecg/signal';
import { generateDataset } from '@heartline/ecg/synth';
import { decodeWfdbRecord, parseWfdbHeader, wfdbToMultiLeadSignal } from '@heartline/ecg/wfdb';
import { missingDataMessage, sharedDataDir } from '@heartline/node-io';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { median } from './benchmark.js';

/** A WFDB record held in memory: header text and signal-file bytes, so only decoding is timed. */
interface RecordBytes {
  readonly header: string;
  readonly files: Map<string, Uint8Array>;
}

async function loadPtbxl(dir: string, rate: 100 | 500): Promise<RecordBytes[]> {
  const folder = join(dir, rate === 100 ? 'records100' : 'records500');
  const suffix = rate === 100 ? '_lr' : '_hr';
  const records: RecordBytes[] = [];
  for (const sub of await readdir(folder)) {
    for (const name of await readdir(join(folder, sub))) {
      if (!name.endsWith(`${suffix}.hea`)) continue;
      const base = name.slice(0, -4);
      const header = await readFile(join(folder, sub, name), 'utf8');
      const data = await readFile(join(folder, sub, `${base}.dat`));
      records.push({ header, files: new Map([[`${base}.dat`, new Uint8Array(data)]]) });
    }
  }
  return records;
}

function synthetic(rate: 100 | 500): RecordBytes[] {
  const files = generateDataset({ n: 40, seed: 7 });
  const out: RecordBytes[] = [];
  const suffix = rate === 100 ? '_lr.hea' : '_hr.hea';
  for (const [path, content] of files) {
    if (!path.endsWith(suffix) || typeof content !== 'string') continue;
    const datPath = path.replace(/\.hea$/, '.dat');
    const dat = files.get(datPath);
    if (!(dat instanceof Uint8Array)) continue;
    out.push({ header: content, files: new Map([[datPath.split('/').pop()!, dat]]) });
  }
  return out;
}

/** Decodes and preprocesses the records repeatedly for about `seconds`; returns windows/s per run. */
function measure(records: readonly RecordBytes[], seconds: number): { perSecond: number; windows: number } {
  const preprocessor = createPreprocessor();
  let windows = 0;
  let elapsed = 0;
  const started = performance.now();
  while (elapsed < seconds * 1000) {
    for (const r of records) {
      const header = parseWfdbHeader(r.header);
      const decoded = decodeWfdbRecord(header, r.files);
      windows += preprocessor(wfdbToMultiLeadSignal(decoded)).windowCount;
    }
    elapsed = performance.now() - started;
  }
  return { perSecond: (windows / elapsed) * 1000, windows };
}

/** WFDB decode + preprocessing (lead mapping, resampling, band-pass, quality, normalisation, windows). */
export const decodePreprocessBenchmark: Benchmark = {
  name: 'decode-preprocess',
  description:
    'WFDB format-16 decode + preprocessing of 10 s 12-lead records into 12×1000 model windows, one core',
  async run(progress) {
    const dir = sharedDataDir('ptbxl-500');
    if (!dir) progress(`${missingDataMessage('ptbxl-500')}; using synthetic records`);
    const source = dir ? 'PTB-XL' : 'synthetic';
    const figures: BenchFigure[] = [];
    for (const rate of [100, 500] as const) {
      const records = dir ? await loadPtbxl(dir, rate) : synthetic(rate);
      progress(`${records.length} ${source} records at ${rate} Hz loaded; warming up`);
      measure(records, 0.5);
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        runs.push(measure(records, 1).perSecond);
        progress(`${rate} Hz run ${i + 1}/5: ${runs[i]!.toFixed(0)} windows/s`);
      }
      figures.push({
        name: `${source} ${rate} Hz records → windows (median of 5)`,
        value: Math.round(median(runs)),
        unit: 'windows/s',
        goal: { value: 2000, better: 'higher' },
      });
    }
    return figures;
  },
};
