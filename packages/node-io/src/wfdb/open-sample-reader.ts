import { type FileHandle, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WfdbDataError } from '@heartline/ecg/errors';
import {
  type MultiSegmentLayout,
  mapSegmentSamples,
  multiSegmentLayout,
  SAMPLE_GAP,
  segmentSignalMap,
  type WfdbHeader,
  WfdbRangeDecoder,
  type WfdbSampleBlock,
  type WfdbSignalSpec,
} from '@heartline/ecg/wfdb';
import { readWfdbHeader } from './read-wfdb-record.js';

/** Options of `openWfdbSampleReader`. */
export interface WfdbSampleReaderOptions {
  /** Apply the headers' skew as rdsamp does (default true). */
  readonly applySkew?: boolean;
  /** Frames decoded per block (default 8192): bounds memory whatever the record length. */
  readonly blockFrames?: number;
}

/** A record (single- or multi-segment) opened for streaming reads of any frame range. */
export interface WfdbSampleReader {
  /** The record's (master) header. */
  readonly header: WfdbHeader;
  /** The record's signals: the header's, the layout header's (variable) or the first segment's (fixed). */
  readonly signals: readonly WfdbSignalSpec[];
  /** Frames in the record. */
  readonly frameCount: number;
  /** Frames per second. */
  readonly frameRate: number;
  /** Decodes frames `[from, to)` block by block; a block never spans two segments. */
  blocks(from: number, to: number): AsyncGenerator<WfdbSampleBlock>;
  /** Closes every open signal file. */
  close(): Promise<void>;
}

/** A single-segment record: one file handle per signal file, positioned reads of whole frames. */
class SingleSegmentReader {
  private constructor(
    readonly decoder: WfdbRangeDecoder,
    private readonly handles: ReadonlyMap<string, FileHandle>,
  ) {}

  static async open(header: WfdbHeader, directory: string, applySkew: boolean): Promise<SingleSegmentReader> {
    const handles = new Map<string, FileHandle>();
    const sizes = new Map<string, number>();
    try {
      for (const name of new Set(header.signals.map((s) => s.fileName))) {
        let handle: FileHandle;
        try {
          handle = await open(join(directory, name), 'r');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          // The decoder names the missing file with the header's context.
          continue;
        }
        handles.set(name, handle);
        sizes.set(name, (await handle.stat()).size);
      }
      return new SingleSegmentReader(new WfdbRangeDecoder(header, sizes, { applySkew }), handles);
    } catch (error) {
      await Promise.all([...handles.values()].map((h) => h.close()));
      throw error;
    }
  }

  async read(start: number, count: number): Promise<Int32Array[]> {
    const reads = this.decoder.plan(start, count);
    const buffers = await Promise.all(
      reads.map(async (r) => {
        const buffer = new Uint8Array(r.length);
        const handle = this.handles.get(r.fileName) as FileHandle;
        let done = 0;
        while (done < r.length) {
          const { bytesRead } = await handle.read(buffer, done, r.length - done, r.position + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buffer.subarray(0, done);
      }),
    );
    return this.decoder.decode(buffers);
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles.values()].map((h) => h.close()));
  }
}

function headerPath(recordPath: string): string {
  return recordPath.endsWith('.hea') ? recordPath : `${recordPath}.hea`;
}

async function readSegmentHeader(directory: string, name: string, master: WfdbHeader): Promise<WfdbHeader> {
  try {
    return await readWfdbHeader(join(directory, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new WfdbDataError(`${name}.hea`, `segment header referenced by ${master.source} is missing`, {
      cause: error,
    });
  }
}

function checkRange(from: number, to: number, frameCount: number): void {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= frameCount)) {
    throw new RangeError(`frame range [${from}, ${to}) outside the record's [0, ${frameCount})`);
  }
}

/**
 * Opens `<recordPath>.hea` for streaming: signal files are read in blocks of whole frames by position,
 * never whole. Multi-segment records open each segment only when a range reaches it, so a range that
 * avoids a segment whose files are absent still reads; one that needs them gets a `WfdbDataError`
 * naming the missing file.
 */
export async function openWfdbSampleReader(
  recordPath: string,
  options: WfdbSampleReaderOptions = {},
): Promise<WfdbSampleReader> {
  const header = await readWfdbHeader(recordPath);
  const directory = dirname(headerPath(recordPath));
  const applySkew = options.applySkew ?? true;
  const blockFrames = options.blockFrames ?? 8192;
  if (header.segmentCount === undefined) {
    const single = await SingleSegmentReader.open(header, directory, applySkew);
    return {
      header,
      signals: header.signals,
      frameCount: single.decoder.frameCount,
      frameRate: header.samplingFrequency,
      async *blocks(from, to) {
        checkRange(from, to, single.decoder.frameCount);
        for (let s = from; s < to; s += blockFrames) {
          const n = Math.min(blockFrames, to - s);
          yield { start: s, frameCount: n, samples: await single.read(s, n), specs: header.signals };
        }
      },
      close: () => single.close(),
    };
  }
  return openMultiSegment(header, directory, applySkew, blockFrames);
}

async function openMultiSegment(
  header: WfdbHeader,
  directory: string,
  applySkew: boolean,
  blockFrames: number,
): Promise<WfdbSampleReader> {
  const layout: MultiSegmentLayout = multiSegmentLayout(header);
  const firstReal = layout.spans.find((s) => !s.isNull);
  const signalSource = layout.layoutName ?? firstReal?.recordName;
  const signals =
    signalSource === undefined ? [] : (await readSegmentHeader(directory, signalSource, header)).signals;
  const gap = (n: number): Int32Array[] =>
    signals.map((s) => new Int32Array(n * s.samplesPerFrame).fill(SAMPLE_GAP));
  return {
    header,
    signals,
    frameCount: layout.frameCount,
    frameRate: header.samplingFrequency,
    async *blocks(from, to) {
      checkRange(from, to, layout.frameCount);
      for (const span of layout.spans) {
        const a = Math.max(from, span.start);
        const b = Math.min(to, span.start + span.frameCount);
        if (a >= b) continue;
        if (span.isNull) {
          for (let s = a; s < b; s += blockFrames) {
            const n = Math.min(blockFrames, b - s);
            yield { start: s, frameCount: n, samples: gap(n), specs: signals };
          }
          continue;
        }
        const segHeader = await readSegmentHeader(directory, span.recordName, header);
        const map = segmentSignalMap(layout, signals, segHeader);
        const reader = await SingleSegmentReader.open(segHeader, directory, applySkew);
        try {
          for (let s = a; s < b; s += blockFrames) {
            const n = Math.min(blockFrames, b - s);
            const local = s - span.start;
            // A segment shorter than the master header says reads as invalid past its end.
            const stored = Math.max(0, Math.min(n, reader.decoder.frameCount - local));
            const raw =
              stored > 0 ? await reader.read(local, stored) : segHeader.signals.map(() => new Int32Array(0));
            const samples = mapSegmentSamples(map, signals, raw, stored);
            const padded =
              stored === n
                ? samples
                : samples.map((arr, i) => {
                    const full = new Int32Array(n * signals[i]!.samplesPerFrame).fill(SAMPLE_GAP);
                    full.set(arr);
                    return full;
                  });
            yield { start: s, frameCount: n, samples: padded, specs: map.specs };
          }
        } finally {
          await reader.close();
        }
      }
    },
    close: async () => {},
  };
}
