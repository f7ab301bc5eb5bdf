import { WfdbDataError } from '../errors.js';
import { assertDecodable } from './decode.js';
import { bytesForSamples, invalidSampleValue, samplesInBytes, unpackSamples } from './formats.js';
import type { WfdbHeader } from './header-types.js';
import { framesWithEverySignal } from './skewed-frame-count.js';

/**
 * Marks an invalid sample in range-decoder output, whatever the storage format: below every format's
 * range (format 32 reserves this very value as its own invalid sample).
 */
export const SAMPLE_GAP = -2147483648;

/** One positioned read the caller performs before `decode`: `length` bytes of `fileName` at `position`. */
export interface WfdbByteRead {
  readonly fileName: string;
  readonly position: number;
  readonly length: number;
}

/** Options of `WfdbRangeDecoder`. */
export interface WfdbRangeDecoderOptions {
  /** Shift skewed signals so equal indices are simultaneous, as rdsamp does (default true). */
  readonly applySkew?: boolean;
}

interface Group {
  readonly fileName: string;
  readonly format: number;
  readonly byteOffset: number;
  readonly frameSize: number;
  readonly members: readonly number[];
  readonly framesInFile: number;
  readonly maxSkew: number;
  /** Samples per packing unit: a frame range must start at a multiple of this to start on a byte. */
  readonly align: number;
  /** Format 8 only: running values at frame `diffFrame` (differences integrate from frame 0). */
  diffFrame: number;
  diffValues: Int32Array;
}

interface Pending {
  readonly group: Group;
  readonly firstFrame: number;
  readonly endFrame: number;
  readonly leadSamples: number;
}

/**
 * Decodes any frame range of a single-segment record from a few positioned reads of whole frames, so a
 * long record can be streamed in chunks: `plan(start, count)` says which bytes to read, `decode(bytes)`
 * turns them into one Int32Array per signal (`count × samplesPerFrame`), invalid samples as `SAMPLE_GAP`.
 */
export class WfdbRangeDecoder {
  /** Frames per signal: the header's sample count, or what the smallest signal file holds. */
  /**
   * Frames readable with every signal present: the header's count, less the frames at the end where a
   * skewed signal runs past its file (rdsamp stops there too).
   */
  readonly frameCount: number;
  private readonly groups: Group[];
  private pending: Pending[] = [];
  private pendingStart = 0;
  private pendingCount = 0;

  /** `fileSizes` gives the byte length of every signal file the header names (missing → error). */
  constructor(
    readonly header: WfdbHeader,
    fileSizes: ReadonlyMap<string, number>,
    options: WfdbRangeDecoderOptions = {},
  ) {
    assertDecodable(header);
    const applySkew = options.applySkew ?? true;
    const byFile = new Map<string, number[]>();
    header.signals.forEach((s, i) => {
      const members = byFile.get(s.fileName);
      if (members) members.push(i);
      else byFile.set(s.fileName, [i]);
    });
    this.groups = [...byFile].map(([fileName, members]) => {
      const first = header.signals[members[0] as number]!;
      const size = fileSizes.get(fileName);
      if (size === undefined) {
        throw new WfdbDataError(fileName, `signal file referenced by ${header.source} is missing`);
      }
      const frameSize = members.reduce((n, i) => n + header.signals[i]!.samplesPerFrame, 0);
      const usable = Math.max(0, size - first.byteOffset);
      return {
        fileName,
        format: first.format,
        byteOffset: first.byteOffset,
        frameSize,
        members,
        framesInFile: Math.floor(samplesInBytes(first.format, usable) / frameSize),
        maxSkew: applySkew ? Math.max(...members.map((i) => header.signals[i]!.skew)) : 0,
        align: first.format === 212 ? 2 : first.format === 310 || first.format === 311 ? 3 : 1,
        diffFrame: 0,
        diffValues: Int32Array.from(members, (i) => header.signals[i]!.initialValue),
      };
    });
    this.skews = header.signals.map((s) => (applySkew ? s.skew : 0));
    this.frameCount =
      header.sampleCount ??
      (this.groups.length === 0 ? 0 : Math.min(...this.groups.map((g) => g.framesInFile)));
    for (const g of this.groups) {
      if (g.framesInFile < this.frameCount) {
        throw new WfdbDataError(
          g.fileName,
          `truncated: ${header.source} says ${this.frameCount} frames of ${g.frameSize} samples (format ${g.format}) but the file holds ${g.framesInFile}`,
        );
      }
    }
    this.frameCount = framesWithEverySignal(this.frameCount, this.groups);
  }

  private readonly skews: readonly number[];

  /** The reads that frames `[start, start + count)` need, one per signal file; pass their bytes to `decode`. */
  plan(start: number, count: number): WfdbByteRead[] {
    if (!(start >= 0 && count >= 0 && start + count <= this.frameCount) || !Number.isInteger(start + count)) {
      throw new RangeError(`frames [${start}, ${start + count}) outside [0, ${this.frameCount})`);
    }
    this.pendingStart = start;
    this.pendingCount = count;
    this.pending = this.groups.map((group) => {
      // Format 8 stores differences: continue from the last saved running values or restart at 0.
      const from = group.format === 8 ? (start >= group.diffFrame ? group.diffFrame : 0) : start;
      const endFrame = Math.min(group.framesInFile, start + count + group.maxSkew);
      const firstSample = from * group.frameSize;
      const aligned = firstSample - (firstSample % group.align);
      return { group, firstFrame: from, endFrame, leadSamples: firstSample - aligned };
    });
    return this.pending.map(({ group, firstFrame, endFrame, leadSamples }) => {
      const aligned = firstFrame * group.frameSize - leadSamples;
      const samples = Math.max(0, endFrame - firstFrame) * group.frameSize + leadSamples;
      return {
        fileName: group.fileName,
        position: group.byteOffset + bytesForSamples(group.format, aligned),
        length: bytesForSamples(group.format, samples),
      };
    });
  }

  /** Decodes the bytes of the last `plan` (in its order) into one array per signal, in header order. */
  decode(buffers: readonly Uint8Array[]): Int32Array[] {
    const start = this.pendingStart;
    const count = this.pendingCount;
    const out = this.header.signals.map((s) => new Int32Array(count * s.samplesPerFrame));
    this.pending.forEach(({ group, firstFrame, endFrame, leadSamples }, k) => {
      const frames = Math.max(0, endFrame - firstFrame);
      const total = leadSamples + frames * group.frameSize;
      const bytes = buffers[k] as Uint8Array;
      if (bytes.length < bytesForSamples(group.format, total)) {
        throw new WfdbDataError(group.fileName, `short read: ${bytes.length} bytes for ${total} samples`);
      }
      const stream = new Int32Array(total);
      unpackSamples(group.format, bytes, total, stream);
      const body = stream.subarray(leadSamples);
      if (group.format === 8) this.integrate(group, body, firstFrame, start + count);
      const invalid = invalidSampleValue(group.format);
      let position = 0;
      for (const i of group.members) {
        const spf = this.header.signals[i]!.samplesPerFrame;
        const target = out[i] as Int32Array;
        const skew = this.skews[i] as number;
        for (let f = 0; f < count; f++) {
          const stored = start + f + skew - firstFrame;
          const o = f * spf;
          if (stored >= frames) {
            target.fill(SAMPLE_GAP, o, o + spf);
            continue;
          }
          const j = stored * group.frameSize + position;
          for (let c = 0; c < spf; c++) {
            const v = body[j + c] as number;
            target[o + c] = v === invalid ? SAMPLE_GAP : v;
          }
        }
        position += spf;
      }
    });
    this.pending = [];
    return out;
  }

  /** Integrates format-8 differences in place and saves the running values at frame `saveAt`. */
  private integrate(group: Group, body: Int32Array, firstFrame: number, saveAt: number): void {
    const values = firstFrame === group.diffFrame ? group.diffValues.slice() : this.initialValues(group);
    const frames = body.length / group.frameSize;
    const saved = values.slice();
    for (let f = 0; f < frames; f++) {
      if (firstFrame + f === saveAt) saved.set(values);
      let p = f * group.frameSize;
      group.members.forEach((i, m) => {
        const spf = this.header.signals[i]!.samplesPerFrame;
        let v = values[m] as number;
        for (let c = 0; c < spf; c++, p++) {
          v += body[p] as number;
          body[p] = v;
        }
        values[m] = v;
      });
    }
    if (firstFrame + frames === saveAt) saved.set(values);
    if (saveAt <= firstFrame + frames) {
      group.diffFrame = saveAt;
      group.diffValues = saved;
    }
  }

  private initialValues(group: Group): Int32Array {
    return Int32Array.from(group.members, (i) => this.header.signals[i]!.initialValue);
  }
}
