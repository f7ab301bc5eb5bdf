import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MultiLeadSignal } from '@heartline/ecg';
import {
  type DecodedWfdbRecord,
  type DecodeWfdbOptions,
  decodeWfdbRecord,
  parseWfdbHeader,
  type WfdbHeader,
  wfdbToMultiLeadSignal,
} from '@heartline/ecg/wfdb';

/** A WFDB record read from disk: its header, decoded signals and a physical multi-lead view. */
export interface WfdbRecordOnDisk {
  /** The parsed header. */
  readonly header: WfdbHeader;
  /** Digital and physical samples per signal. */
  readonly record: DecodedWfdbRecord;
  /** Physical signals as one `MultiLeadSignal` with raw lead names (not mapped to the canonical 12). */
  readonly signal: () => MultiLeadSignal;
}

/** Header text: UTF-8 when valid, else Latin-1 (old headers write `µV` as one byte). */
function headerText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

function headerPath(recordPath: string): string {
  return recordPath.endsWith('.hea') ? recordPath : `${recordPath}.hea`;
}

/** Reads and parses `<recordPath>.hea` (a trailing `.hea` on the path is accepted). */
export async function readWfdbHeader(recordPath: string): Promise<WfdbHeader> {
  const path = headerPath(recordPath);
  return parseWfdbHeader(headerText(await readFile(path)), path);
}

/**
 * Reads a WFDB record: `<recordPath>.hea`, then only the signal files it references, from the header's
 * directory. A missing signal file becomes a `WfdbDataError` naming it; unsupported layouts a
 * `WfdbUnsupportedError` (both thrown by the decoder).
 */
export async function readWfdbRecord(
  recordPath: string,
  options: DecodeWfdbOptions = {},
): Promise<WfdbRecordOnDisk> {
  const header = await readWfdbHeader(recordPath);
  const directory = dirname(headerPath(recordPath));
  const files = new Map<string, Uint8Array>();
  if (header.segmentCount === undefined) {
    const names = [...new Set(header.signals.map((s) => s.fileName))];
    await Promise.all(
      names.map(async (name) => {
        try {
          files.set(name, await readFile(join(directory, name)));
        } catch (error) {
          // A missing file is reported by the decoder with the header's context; other errors are real.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }),
    );
  }
  const record = decodeWfdbRecord(header, files, options);
  return { header, record, signal: () => wfdbToMultiLeadSignal(record) };
}
