import type { EcgLabels } from '@heartline/ecg/data';
import {
  parseScpStatements,
  SCP_STATEMENT_COLUMNS,
  type ScpStatementTable,
  stringifyCsv,
} from '@heartline/ecg/data';
import { SCP_STATEMENT_ROWS } from '@heartline/ecg/synth';

/** Class codes of one record: diagnostic superclasses first, then its diagnostic, rhythm and form codes. */
export function classCodes(labels: EcgLabels): string[] {
  return [...new Set([...labels.superclasses, ...labels.diagnostic, ...labels.rhythm, ...labels.form])];
}

let synthetic: ScpStatementTable | undefined;

/** The SCP statement table of the codes the synthetic generator models (parsed once). */
export function syntheticStatements(): ScpStatementTable {
  synthetic ??= parseScpStatements(
    stringifyCsv([SCP_STATEMENT_COLUMNS, ...Object.values(SCP_STATEMENT_ROWS)]),
    'synthetic scp_statements',
  );
  return synthetic;
}
