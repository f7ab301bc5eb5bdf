import type { PreprocessOptions, Preprocessor } from '@heartline/ecg/signal';
import { createPreprocessor } from '@heartline/ecg/signal';
import { quantiseRows } from './quantise.js';
import type { RawRecord } from './record-source.js';
import type { QuantisedShard, ShardMeta } from './shard-file.js';

const LEADS = 12;

/**
 * Accumulates one shard: preprocesses each record (its first window, as `examplesFromPtbxlFolder`
 * takes), quantises it into preallocated arrays, and skips records without a signal or a whole window.
 */
export class ShardBuilder {
  private readonly preprocessor: Preprocessor;
  private readonly meta: {
    reports: string[];
    reportKeys: string[];
    languages: ShardMeta['languages'][number][];
    labels: (readonly string[])[];
    folds: number[];
    sources: ShardMeta['sources'][number][];
    ids: string[];
  } = { reports: [], reportKeys: [], languages: [], labels: [], folds: [], sources: [], ids: [] };
  private scales: Float32Array;
  private masks: Uint8Array;
  private codes: Int16Array;
  private windowLength = 0;
  private count = 0;
  /** Records given that had no usable window. */
  skipped = 0;

  constructor(
    options: PreprocessOptions,
    private readonly capacity: number,
  ) {
    this.preprocessor = createPreprocessor(options);
    this.scales = new Float32Array(capacity * LEADS);
    this.masks = new Uint8Array(capacity * LEADS);
    this.codes = new Int16Array(0);
  }

  /** Adds one record (or counts it as skipped). */
  add(record: RawRecord): void {
    if (this.count + this.skipped >= this.capacity) {
      throw new RangeError(`ShardBuilder: more than ${this.capacity} records given`);
    }
    const result = record.signal ? this.preprocessor(record.signal) : undefined;
    if (!result || result.windowCount === 0) {
      this.skipped += 1;
      return;
    }
    const size = LEADS * result.windowLength;
    if (this.codes.length === 0) {
      this.windowLength = result.windowLength;
      this.codes = new Int16Array(this.capacity * size);
    }
    const at = this.count;
    quantiseRows(
      result.windows.subarray(0, size),
      LEADS,
      result.windowLength,
      this.codes.subarray(at * size, (at + 1) * size),
      this.scales.subarray(at * LEADS, (at + 1) * LEADS),
    );
    this.masks.set(result.leadMask, at * LEADS);
    const m = this.meta;
    m.reports.push(record.report);
    m.reportKeys.push(record.reportKey);
    m.languages.push(record.language);
    m.labels.push(record.labels);
    m.folds.push(record.fold);
    m.sources.push(record.source);
    m.ids.push(record.id);
    this.count += 1;
  }

  /** The shard of the records added so far. */
  finish(): QuantisedShard {
    const n = this.count;
    const size = LEADS * this.windowLength;
    return {
      meta: { count: n, leads: LEADS, windowLength: this.windowLength, ...this.meta },
      scales: this.scales.subarray(0, n * LEADS),
      leadMasks: this.masks.subarray(0, n * LEADS),
      codes: this.codes.subarray(0, n * size),
    };
  }
}
