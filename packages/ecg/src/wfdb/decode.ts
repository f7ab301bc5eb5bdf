import { WfdbDataError, WfdbUnsupportedError } from '../errors.js';
import {
  bytesForSamples,
  FLAC_FORMATS,
  invalidSampleValue,
  SUPPORTED_FORMATS,
  samplesInBytes,
  unpackSamples,
} from './formats.js';
import type { WfdbHeader, WfdbSignalSpec } from './header-types.js';
import { framesWithEverySignal } from './skewed-frame-count.js';

/** Signal file contents by the file name the header uses, as a map or a lookup function. */
export type WfdbFileSource = ReadonlyMap<string, Uint8Array> | ((fileName: string) => Uint8Array | undefined);

/** Options of `decodeWfdbRecord`. */
export interface DecodeWfdbOptions {
  /**
   * Shift skewed signals (`16:3`) so equal indices are simultaneous, as WFDB readers do (default true).
   * Samples past the end of the file then read as invalid. False returns the samples as stored, which
   * is what the header's checksum and initial value describe.
   */
  readonly applySkew?: boolean;
}

/** One decoded signal. */
export interface DecodedWfdbSignal {
  /** The header's signal line. */
  readonly spec: WfdbSignalSpec;
  /** Samples per second of this signal (frame rate × samples per frame). */
  readonly sampleRate: number;
  /** Digital samples, frameCount × samplesPerFrame long. */
  readonly digital: Int32Array;
  /** Physical samples (digital − baseline) / gain; NaN where the digital value is WFDB's invalid value. */
  readonly physical: Float32Array;
}

/** A decoded single-segment record. */
export interface DecodedWfdbRecord {
  readonly header: WfdbHeader;
  /** Frames per signal (the header's sample count, or derived from the file size when omitted). */
  readonly frameCount: number;
  /** Signals in header order. */
  readonly signals: readonly DecodedWfdbSignal[];
  /** Whether skew was applied (see `DecodeWfdbOptions.applySkew`). */
  readonly skewApplied: boolean;
}

interface FileGroup {
  readonly fileName: string;
  readonly format: number;
  readonly byteOffset: number;
  /** Header indices of the signals stored in this file, in frame order. */
  readonly members: number[];
}

/** Rejects what this decoder cannot read, with a typed error that says why. */
export function assertDecodable(header: WfdbHeader): void {
  if (header.segmentCount !== undefined) {
    throw new WfdbUnsupportedError(
      header.source,
      `decoding multi-segment layouts (record '${header.recordName}' has ${header.segmentCount} segments)`,
      'decode each segment record on its own',
    );
  }
  for (const s of header.signals) {
    if (FLAC_FORMATS.has(s.format)) {
      throw new WfdbUnsupportedError(
        header.source,
        `FLAC-compressed format ${s.format} (signal file ${s.fileName})`,
      );
    }
    if (!SUPPORTED_FORMATS.has(s.format)) {
      const what =
        s.format === 0 ? 'format 0 (a null signal with no stored samples)' : `unknown format ${s.format}`;
      const supported = [...SUPPORTED_FORMATS].join(', ');
      throw new WfdbUnsupportedError(
        header.source,
        `${what} in signal file ${s.fileName}`,
        `supported formats are ${supported}`,
      );
    }
  }
}

/** Groups signals by file; every signal in one file must share its format and byte offset. */
function groupByFile(header: WfdbHeader): FileGroup[] {
  const groups = new Map<string, FileGroup>();
  header.signals.forEach((s, i) => {
    const g = groups.get(s.fileName);
    if (!g) {
      groups.set(s.fileName, {
        fileName: s.fileName,
        format: s.format,
        byteOffset: s.byteOffset,
        members: [i],
      });
    } else if (g.format !== s.format || g.byteOffset !== s.byteOffset) {
      throw new WfdbUnsupportedError(
        header.source,
        `signal file ${s.fileName} mixing formats or byte offsets (${g.format}+${g.byteOffset} vs ${s.format}+${s.byteOffset})`,
      );
    } else {
      g.members.push(i);
    }
  });
  return [...groups.values()];
}

function lookup(files: WfdbFileSource, name: string): Uint8Array | undefined {
  return typeof files === 'function' ? files(name) : files.get(name);
}

/**
 * Decodes a single-segment record's signal files into digital and physical samples per signal.
 * Throws `WfdbUnsupportedError` for FLAC, multi-segment and unknown formats, and `WfdbDataError`
 * naming the file when a signal file is missing or shorter than the header says.
 */
export function decodeWfdbRecord(
  header: WfdbHeader,
  files: WfdbFileSource,
  options: DecodeWfdbOptions = {},
): DecodedWfdbRecord {
  assertDecodable(header);
  const applySkew = options.applySkew ?? true;
  const groups = groupByFile(header);
  const sources = groups.map((g) => {
    const bytes = lookup(files, g.fileName);
    if (!bytes) throw new WfdbDataError(g.fileName, `signal file referenced by ${header.source} is missing`);
    if (bytes.length < g.byteOffset) {
      throw new WfdbDataError(
        g.fileName,
        `file has ${bytes.length} bytes, less than its byte offset ${g.byteOffset}`,
      );
    }
    const frameSize = g.members.reduce((n, i) => n + header.signals[i]!.samplesPerFrame, 0);
    const framesInFile = Math.floor(samplesInBytes(g.format, bytes.length - g.byteOffset) / frameSize);
    const maxSkew = applySkew ? Math.max(...g.members.map((i) => header.signals[i]!.skew)) : 0;
    return { group: g, bytes, frameSize, framesInFile, maxSkew };
  });
  const headerFrames =
    header.sampleCount ?? (sources.length === 0 ? 0 : Math.min(...sources.map((s) => s.framesInFile)));

  for (const { group, bytes, frameSize, framesInFile } of sources) {
    if (framesInFile < headerFrames) {
      const needed = group.byteOffset + bytesForSamples(group.format, headerFrames * frameSize);
      throw new WfdbDataError(
        group.fileName,
        `truncated: ${header.source} says ${headerFrames} frames of ${frameSize} samples (format ${group.format}, ${needed} bytes) but the file has ${bytes.length} bytes`,
      );
    }
  }
  // With skew, the record ends where a skewed signal runs past its file, as rdsamp's output does.
  const frameCount = framesWithEverySignal(headerFrames, sources);
  const digital: Int32Array[] = header.signals.map((s) => new Int32Array(frameCount * s.samplesPerFrame));
  for (const { group, bytes, frameSize, framesInFile, maxSkew } of sources) {
    const framesToRead = Math.min(framesInFile, frameCount + maxSkew);
    const stream = unpackStream(group.format, bytes, group.byteOffset, framesToRead * frameSize);
    if (group.format === 8 && stream instanceof Int32Array) {
      integrateDifferences(header.signals, group.members, stream, frameSize);
    }
    let position = 0;
    for (const i of group.members) {
      const spec = header.signals[i]!;
      const skew = applySkew ? spec.skew : 0;
      deinterleave(
        stream,
        frameSize,
        position,
        spec.samplesPerFrame,
        skew,
        framesToRead,
        digital[i]!,
        spec.format,
      );
      position += spec.samplesPerFrame;
    }
  }

  const signals = header.signals.map((spec, i) => ({
    spec,
    sampleRate: header.samplingFrequency * spec.samplesPerFrame,
    digital: digital[i]!,
    physical: toPhysical(digital[i]!, spec),
  }));
  return { header, frameCount, signals, skewApplied: applySkew };
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Unpacks a file's sample stream; aligned format 16 on a little-endian host is read through a view. */
function unpackStream(
  format: number,
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
): Int32Array | Int16Array {
  const start = bytes.byteOffset + byteOffset;
  if (format === 16 && littleEndianHost && start % 2 === 0) return new Int16Array(bytes.buffer, start, count);
  const stream = new Int32Array(count);
  unpackSamples(format, bytes.subarray(byteOffset), count, stream);
  return stream;
}

/** Format 8 stores first differences; each signal starts from its initial value. */
function integrateDifferences(
  specs: readonly WfdbSignalSpec[],
  members: readonly number[],
  stream: Int32Array,
  frameSize: number,
): void {
  let position = 0;
  for (const i of members) {
    const spf = specs[i]!.samplesPerFrame;
    let value = specs[i]!.initialValue;
    for (let f = position; f < stream.length; f += frameSize) {
      for (let k = 0; k < spf; k++) {
        value += stream[f + k]!;
        stream[f + k] = value;
      }
    }
    position += spf;
  }
}

/** Copies one signal out of an interleaved stream; frames past the stored data become invalid. */
function deinterleave(
  stream: Int32Array | Int16Array,
  frameSize: number,
  position: number,
  spf: number,
  skew: number,
  framesAvailable: number,
  out: Int32Array,
  format: number,
): void {
  const frames = out.length / spf;
  const readable = Math.max(0, Math.min(frames, framesAvailable - skew));
  if (spf === 1) {
    for (let f = 0, j = skew * frameSize + position; f < readable; f++, j += frameSize) out[f] = stream[j]!;
  } else {
    for (let f = 0; f < readable; f++) {
      const j = (f + skew) * frameSize + position;
      for (let k = 0; k < spf; k++) out[f * spf + k] = stream[j + k]!;
    }
  }
  if (readable < frames) out.fill(invalidSampleValue(format) ?? -2147483648, readable * spf);
}

function toPhysical(digital: Int32Array, spec: WfdbSignalSpec): Float32Array {
  const out = new Float32Array(digital.length);
  const invalid = invalidSampleValue(spec.format);
  const { baseline } = spec;
  const scale = 1 / spec.adcGain;
  for (let i = 0; i < digital.length; i++) {
    const d = digital[i]!;
    out[i] = d === invalid ? Number.NaN : (d - baseline) * scale;
  }
  return out;
}
