/**
 * The parsed contents of a WFDB header (`.hea`), following the WFDB header(5) specification.
 * Every optional field is resolved to the specification's default so consumers never re-derive them;
 * `…Specified` flags say whether the header wrote the value itself.
 */

/** One signal line of a single-segment header. */
export interface WfdbSignalSpec {
  /** Signal file name as written in the header (relative to the header's directory), e.g. `100.dat`. */
  readonly fileName: string;
  /** Storage format number (8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, …; 0 = null signal). */
  readonly format: number;
  /** Samples of this signal per frame (the `xN` suffix); default 1. */
  readonly samplesPerFrame: number;
  /** Skew in frames (the `:N` suffix); default 0. */
  readonly skew: number;
  /** Bytes to skip at the start of the signal file (the `+N` suffix); default 0. */
  readonly byteOffset: number;
  /** ADC units per physical unit; 200 when the header gives 0 or omits it (then `uncalibrated`). */
  readonly adcGain: number;
  /** True when the header gave no gain or a gain of 0: the physical values are nominal only. */
  readonly uncalibrated: boolean;
  /** Digital value that corresponds to 0 physical units; defaults to `adcZero`. */
  readonly baseline: number;
  /** Physical units (`mV` when omitted). */
  readonly units: string;
  /** ADC resolution in bits; when omitted or 0: 8 for 80, 16 for 160, 10 for 310/311, else 12. */
  readonly adcResolution: number;
  /** Digital value at the middle of the ADC range; default 0. */
  readonly adcZero: number;
  /** First sample's digital value; defaults to `adcZero` (`initialValueSpecified` says if given). */
  readonly initialValue: number;
  /** Whether the header wrote the initial value. */
  readonly initialValueSpecified: boolean;
  /** 16-bit sum of all samples as written (signed or unsigned); undefined when the header omits it. */
  readonly checksum: number | undefined;
  /** Block size in bytes for special files; default 0. */
  readonly blockSize: number;
  /** Free-text description (often the lead name); empty when omitted. */
  readonly description: string;
}

/** One segment of a multi-segment record: a record name (or `~` for a null segment) and its length. */
export interface WfdbSegment {
  /** Segment record name; `~` marks a null (gap) segment. */
  readonly recordName: string;
  /** Samples per signal in this segment. */
  readonly sampleCount: number;
}

/** A parsed WFDB header: the record line, signal (or segment) lines and comments. */
export interface WfdbHeader {
  /** Where the header came from (file path or record name), used in error messages. */
  readonly source: string;
  /** Record name from the record line. */
  readonly recordName: string;
  /** Number of segments when the record is multi-segment (`name/segments`); undefined otherwise. */
  readonly segmentCount: number | undefined;
  /** Number of signals. */
  readonly signalCount: number;
  /** Frames per second (250 when omitted). */
  readonly samplingFrequency: number;
  /** Counter frequency in ticks per second; equals `samplingFrequency` when omitted. */
  readonly counterFrequency: number;
  /** Counter value of sample 0; default 0. */
  readonly baseCounter: number;
  /** Frames per signal; undefined when the header omits it (then derived from the file size). */
  readonly sampleCount: number | undefined;
  /** Base time as written (`HH:MM:SS[.sss]`), undefined when omitted. */
  readonly baseTime: string | undefined;
  /** Base date as written (`DD/MM/YYYY`), undefined when omitted. */
  readonly baseDate: string | undefined;
  /** Signal lines in order (empty for multi-segment headers). */
  readonly signals: readonly WfdbSignalSpec[];
  /** Segment lines for multi-segment headers; empty otherwise. */
  readonly segments: readonly WfdbSegment[];
  /**
   * Comment lines in file order (before and after the record line), each the text after its `#`
   * with surrounding whitespace trimmed, e.g. `Dx: 164889003` for `# Dx: 164889003`.
   */
  readonly comments: readonly string[];
}
