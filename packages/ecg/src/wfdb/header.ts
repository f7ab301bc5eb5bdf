import { WfdbHeaderError } from '../errors.js';
import type { WfdbHeader, WfdbSegment, WfdbSignalSpec } from './header-types.js';

const INTEGER = /^[-+]?\d+$/;
const FORMAT_FIELD = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/;
const GAIN_FIELD = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\(([-+]?\d+(?:\.\d*)?)\))?(?:\/(.+))?$/;
const FREQUENCY_FIELD = /^([^/()]+)(?:\/([^/()]+)(?:\(([^()]+)\))?)?$/;

/** Default ADC resolution by format when the header omits it or writes 0 (as the WFDB library does). */
function defaultResolution(format: number): number {
  switch (format) {
    case 80:
      return 8;
    case 160:
      return 16;
    case 310:
    case 311:
      return 10;
    default:
      return 12;
  }
}

interface Token {
  readonly text: string;
  readonly end: number;
}

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  for (const m of line.matchAll(/\S+/g)) tokens.push({ text: m[0], end: (m.index ?? 0) + m[0].length });
  return tokens;
}

/**
 * Parses the text of a WFDB header (`.hea`). Omitted fields take the WFDB header(5) defaults; a
 * malformed line throws `WfdbHeaderError` naming `source` and the 1-based line number.
 */
export function parseWfdbHeader(text: string, source = 'header'): WfdbHeader {
  const fail = (line: number, detail: string): never => {
    throw new WfdbHeaderError(source, line, detail);
  };
  const comments: string[] = [];
  const content: { line: number; text: string }[] = [];
  const rawLines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < rawLines.length; i++) {
    const trimmed = (rawLines[i] as string).trim();
    if (trimmed.length === 0) continue;
    if (trimmed.startsWith('#')) comments.push(trimmed.replace(/^#+/, '').trim());
    else content.push({ line: i + 1, text: trimmed });
  }
  const recordLine = content[0];
  if (!recordLine) return fail(1, 'no record line (the header is empty or only comments)');

  const integer = (line: number, field: string, value: string, min = Number.MIN_SAFE_INTEGER): number => {
    if (!INTEGER.test(value)) fail(line, `${field} '${value}' is not an integer`);
    const n = Number(value);
    if (n < min) fail(line, `${field} ${n} must be ≥ ${min}`);
    return n;
  };
  const real = (line: number, field: string, value: string): number => {
    const n = Number(value);
    if (value.length === 0 || !Number.isFinite(n)) fail(line, `${field} '${value}' is not a number`);
    return n;
  };

  // Record line: name[/segments] nsig [fs[/counterfreq[(basecounter)]] [nsamples [time [date]]]]
  const r = tokenize(recordLine.text).map((t) => t.text);
  const rl = recordLine.line;
  if (r.length < 2)
    fail(rl, `record line '${recordLine.text}' has too few fields (need record name and signal count)`);
  const [nameField = '', nsigField = '', fsField, nsampField, baseTime, baseDate] = r;
  const nameMatch = /^([^/\s]+)(?:\/(.+))?$/.exec(nameField);
  if (!nameMatch) return fail(rl, `record name '${nameField}' is malformed`);
  const recordName = nameMatch[1] as string;
  const segmentCount = nameMatch[2] === undefined ? undefined : integer(rl, 'segment count', nameMatch[2], 1);
  const signalCount = integer(rl, 'signal count', nsigField, 0);
  let samplingFrequency = 250;
  let counterFrequency: number | undefined;
  let baseCounter = 0;
  if (fsField !== undefined) {
    const f = FREQUENCY_FIELD.exec(fsField);
    if (!f) return fail(rl, `sampling frequency '${fsField}' is malformed`);
    samplingFrequency = real(rl, 'sampling frequency', f[1] as string);
    if (!(samplingFrequency > 0)) fail(rl, `sampling frequency ${samplingFrequency} must be > 0`);
    if (f[2] !== undefined) counterFrequency = real(rl, 'counter frequency', f[2]);
    if (f[3] !== undefined) baseCounter = real(rl, 'base counter', f[3]);
  }
  const sampleCount = nsampField === undefined ? undefined : integer(rl, 'sample count', nsampField, 0);

  const body = content.slice(1);
  const segments: WfdbSegment[] = [];
  const signals: WfdbSignalSpec[] = [];
  if (segmentCount !== undefined) {
    if (body.length !== segmentCount) {
      const at = body[segmentCount]?.line ?? rl;
      fail(
        at,
        `record line declares ${segmentCount} segments but the header has ${body.length} segment lines`,
      );
    }
    for (const { line, text: segText } of body) {
      const s = tokenize(segText).map((t) => t.text);
      if (s.length < 2) fail(line, `segment line '${segText}' has too few fields (need name and length)`);
      segments.push({
        recordName: s[0] as string,
        sampleCount: integer(line, 'segment length', s[1] as string, 0),
      });
    }
  } else {
    if (body.length !== signalCount) {
      const at = body[signalCount]?.line ?? rl;
      fail(at, `record line declares ${signalCount} signals but the header has ${body.length} signal lines`);
    }
    for (const { line, text: sigText } of body)
      signals.push(parseSignalLine(line, sigText, integer, real, fail));
  }

  return {
    source,
    recordName,
    segmentCount,
    signalCount,
    samplingFrequency,
    counterFrequency: counterFrequency ?? samplingFrequency,
    baseCounter,
    sampleCount,
    baseTime,
    baseDate,
    signals,
    segments,
    comments,
  };
}

type IntegerParser = (line: number, field: string, value: string, min?: number) => number;
type RealParser = (line: number, field: string, value: string) => number;

function parseSignalLine(
  line: number,
  text: string,
  integer: IntegerParser,
  real: RealParser,
  fail: (line: number, detail: string) => never,
): WfdbSignalSpec {
  const tokens = tokenize(text);
  const field = (i: number): string | undefined => tokens[i]?.text;
  if (tokens.length < 2) fail(line, `signal line '${text}' has too few fields (need file name and format)`);
  const fileName = field(0) as string;
  const fm = FORMAT_FIELD.exec(field(1) as string);
  if (!fm)
    return fail(line, `format field '${field(1)}' is malformed (expected e.g. 16, 212x4, 16:3 or 16+24)`);
  const format = Number(fm[1]);
  const samplesPerFrame = fm[2] === undefined ? 1 : integer(line, 'samples per frame', fm[2], 1);
  const skew = fm[3] === undefined ? 0 : Number(fm[3]);
  const byteOffset = fm[4] === undefined ? 0 : Number(fm[4]);

  let adcGain = 0;
  let baselineField: number | undefined;
  let units = 'mV';
  const gainText = field(2);
  if (gainText !== undefined) {
    const g = GAIN_FIELD.exec(gainText);
    if (!g) return fail(line, `ADC gain '${gainText}' is not a number (expected e.g. 200, 200(1024)/mV)`);
    adcGain = real(line, 'ADC gain', g[1] as string);
    if (g[2] !== undefined) baselineField = real(line, 'baseline', g[2]);
    if (g[3] !== undefined) units = g[3];
  }
  const optionalInt = (i: number, name: string): number | undefined => {
    const v = field(i);
    return v === undefined ? undefined : integer(line, name, v);
  };
  const resolutionField = optionalInt(3, 'ADC resolution');
  const adcZero = optionalInt(4, 'ADC zero') ?? 0;
  const initialField = optionalInt(5, 'initial value');
  const checksum = optionalInt(6, 'checksum');
  const blockSize = optionalInt(7, 'block size') ?? 0;
  const lastField = tokens[7];
  const description = lastField === undefined ? '' : text.slice(lastField.end).trim();
  return {
    fileName,
    format,
    samplesPerFrame,
    skew,
    byteOffset,
    adcGain: adcGain === 0 ? 200 : adcGain,
    uncalibrated: adcGain === 0,
    baseline: baselineField ?? adcZero,
    units,
    adcResolution:
      resolutionField === undefined || resolutionField === 0 ? defaultResolution(format) : resolutionField,
    adcZero,
    initialValue: initialField ?? adcZero,
    initialValueSpecified: initialField !== undefined,
    checksum,
    blockSize,
    description,
  };
}
