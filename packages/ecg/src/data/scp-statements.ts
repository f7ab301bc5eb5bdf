import { CsvError } from '../errors.js';
import { parseCsv, requireColumns } from './csv.js';

/** PTB-XL's five diagnostic superclasses, in the order its papers list them. */
export const DIAGNOSTIC_SUPERCLASSES = ['NORM', 'MI', 'STTC', 'CD', 'HYP'] as const;

/** One diagnostic superclass: normal, myocardial infarction, ST/T change, conduction disturbance, hypertrophy. */
export type DiagnosticSuperclass = (typeof DIAGNOSTIC_SUPERCLASSES)[number];

/** One row of `scp_statements.csv`: what an SCP-ECG code means and which label families it belongs to. */
export interface ScpStatement {
  /** The SCP-ECG code (the unnamed first column), e.g. `'IMI'`. */
  readonly code: string;
  /** Short English description, e.g. `'inferior myocardial infarction'`. */
  readonly description: string;
  /** A diagnostic statement (`diagnostic == 1`); only these carry a class and subclass. */
  readonly diagnostic: boolean;
  /** A form statement (waveform morphology). Some codes are both diagnostic and form. */
  readonly form: boolean;
  /** A rhythm statement. */
  readonly rhythm: boolean;
  /** Diagnostic superclass, for diagnostic statements. */
  readonly diagnosticClass: DiagnosticSuperclass | undefined;
  /** Diagnostic subclass (e.g. `'IMI'`, `'LAFB/LPFB'`), for diagnostic statements. */
  readonly diagnosticSubclass: string | undefined;
  /** `Statement Category` (free text, may be empty). */
  readonly category: string;
  /** `SCP-ECG Statement Description` (may be empty). */
  readonly scpDescription: string;
  /** `AHA code`, `aECG REFID`, `CDISC Code`, `DICOM Code` when present. */
  readonly ahaCode: string | undefined;
  readonly aecgRefId: string | undefined;
  readonly cdiscCode: string | undefined;
  readonly dicomCode: string | undefined;
}

/** Code → statement, in file order. */
export type ScpStatementTable = ReadonlyMap<string, ScpStatement>;

/** Every column of PTB-XL's `scp_statements.csv`, in its order; the first (the code) is unnamed. */
export const SCP_STATEMENT_COLUMNS = [
  '',
  'description',
  'diagnostic',
  'form',
  'rhythm',
  'diagnostic_class',
  'diagnostic_subclass',
  'Statement Category',
  'SCP-ECG Statement Description',
  'AHA code',
  'aECG REFID',
  'CDISC Code',
  'DICOM Code',
] as const;

const REQUIRED = [
  'description',
  'diagnostic',
  'form',
  'rhythm',
  'diagnostic_class',
  'diagnostic_subclass',
] as const;

/**
 * Parses `scp_statements.csv`. The first column holds the code whatever its header says (PTB-XL leaves it
 * unnamed). Missing required columns, a row without a code, an unknown superclass or a repeated code
 * throw {@link CsvError} naming `source` and the line.
 */
export function parseScpStatements(text: string, source = 'scp_statements.csv'): ScpStatementTable {
  const table = parseCsv(text, { source });
  const col = requireColumns(table.header, REQUIRED, source);
  const optional = (name: string): number => table.header.indexOf(name);
  const cat = optional('Statement Category');
  const scpDesc = optional('SCP-ECG Statement Description');
  const aha = optional('AHA code');
  const aecg = optional('aECG REFID');
  const cdisc = optional('CDISC Code');
  const dicom = optional('DICOM Code');
  const out = new Map<string, ScpStatement>();
  table.rows.forEach((row, r) => {
    const line = table.lines[r];
    const get = (i: number): string => (i >= 0 ? row[i]!.trim() : '');
    const code = get(0);
    if (code === '') throw new CsvError(source, `line ${line}: empty statement code in the first column`);
    if (out.has(code)) throw new CsvError(source, `line ${line}: statement code '${code}' repeated`);
    const flag = (i: number, name: string): boolean => {
      const v = get(i);
      if (v === '' || v === '0' || v === '0.0') return false;
      if (v === '1' || v === '1.0') return true;
      throw new CsvError(
        source,
        `line ${line}: column '${name}' of '${code}' is ${JSON.stringify(v)}; expected 1.0 or empty`,
      );
    };
    const diagnostic = flag(col.diagnostic, 'diagnostic');
    const klass = get(col.diagnostic_class);
    let diagnosticClass: DiagnosticSuperclass | undefined;
    if (klass !== '') {
      if (!(DIAGNOSTIC_SUPERCLASSES as readonly string[]).includes(klass)) {
        throw new CsvError(
          source,
          `line ${line}: diagnostic_class of '${code}' is '${klass}'; expected one of ${DIAGNOSTIC_SUPERCLASSES.join(', ')}`,
        );
      }
      diagnosticClass = klass as DiagnosticSuperclass;
    }
    const orUndefined = (v: string): string | undefined => (v === '' ? undefined : v);
    out.set(code, {
      code,
      description: get(col.description),
      diagnostic,
      form: flag(col.form, 'form'),
      rhythm: flag(col.rhythm, 'rhythm'),
      diagnosticClass,
      diagnosticSubclass: orUndefined(get(col.diagnostic_subclass)),
      category: get(cat),
      scpDescription: get(scpDesc),
      ahaCode: orUndefined(get(aha)),
      aecgRefId: orUndefined(get(aecg)),
      cdiscCode: orUndefined(get(cdisc)),
      dicomCode: orUndefined(get(dicom)),
    });
  });
  return out;
}
