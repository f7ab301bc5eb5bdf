/**
 * Replays a WFDB record held in memory (a header's text and its signal files' bytes, e.g. files a user
 * picked in a browser) as 10 s windows, once or in a loop. Decoding is the pure `@heartline/ecg/wfdb`
 * path the Node reader uses, so a record replays the same in both.
 */

import { decodeWfdbRecord, parseWfdbHeader, wfdbToMultiLeadSignal } from '@heartline/ecg/wfdb';
import { InvalidArgumentError } from '@heartline/model/errors';
import {
  type EcgSource,
  type EcgWindow,
  replayWindows,
  type SourceOptions,
  sliceWindows,
} from './ecg-source.js';

/** Options of `wfdbBytesSource`. */
export interface WfdbBytesSourceOptions extends SourceOptions {
  /** Start again from the first window after the last one. Default false. */
  readonly loop?: boolean;
}

/** A record's files by name, as the header names them (`00001_lr.hea`, `00001_lr.dat`). */
export type WfdbFiles = ReadonlyMap<string, Uint8Array>;

/** The one `.hea` file among `files`; InvalidArgumentError when there is none or more than one. */
export function pickHeaderName(files: WfdbFiles): string {
  const headers = [...files.keys()].filter((name) => name.toLowerCase().endsWith('.hea'));
  if (headers.length !== 1) {
    throw new InvalidArgumentError(
      'WFDB files',
      [...files.keys()].join(', ') || '(none)',
      `must hold exactly one .hea header with its signal files, found ${headers.length} headers`,
    );
  }
  return headers[0] as string;
}

/**
 * A source replaying the record whose header is `headerName` in `files`. The header is parsed and the
 * signal files decoded before this returns, so a bad or incomplete record throws here (WfdbHeaderError,
 * WfdbDataError naming the missing file, WfdbUnsupportedError) rather than mid-stream.
 */
export function wfdbBytesSource(
  files: WfdbFiles,
  headerName: string = pickHeaderName(files),
  options: WfdbBytesSourceOptions = {},
): EcgSource {
  const headerBytes = files.get(headerName);
  if (!headerBytes) throw new InvalidArgumentError('headerName', headerName, 'is not among the files');
  const header = parseWfdbHeader(new TextDecoder().decode(headerBytes), headerName);
  const signal = wfdbToMultiLeadSignal(decodeWfdbRecord(header, files));
  const windowSeconds = options.windowSeconds ?? 10;
  const slices = sliceWindows(signal, Math.round(windowSeconds * signal.sampleRate));
  if (slices.length === 0) {
    throw new InvalidArgumentError(
      headerName,
      `${(signal.leads[0]?.length ?? 0) / signal.sampleRate} s`,
      `is shorter than one ${windowSeconds} s window`,
    );
  }
  return {
    name: `wfdb:${header.recordName}`,
    windows: (abort?: AbortSignal): AsyncGenerator<EcgWindow> => replayWindows(slices, options, abort),
  };
}
