export type { CsvTable, CsvValue, ParseCsvOptions, StringifyCsvOptions } from './csv.js';
export { parseCsv, requireColumns, stringifyCsv } from './csv.js';
export type { EcgLabels, LabelOptions } from './labels.js';
export { deriveLabels, superclassMultiHot } from './labels.js';
export type { ParsePtbxlDatabaseOptions, PtbxlDatabaseRecord } from './ptbxl-database.js';
export { PTBXL_DATABASE_COLUMNS, PTBXL_REQUIRED_COLUMNS, parsePtbxlDatabase } from './ptbxl-database.js';
export type { ReportLanguage, ReportText } from './report-text.js';
export { analyseReport, detectReportLanguage, normaliseReportText } from './report-text.js';
export type { ScpCodes } from './scp-codes.js';
export { formatScpCodes, parseScpCodes } from './scp-codes.js';
export type { SnomedEquivalent } from './scp-snomed.js';
export { scpForSnomed, snomedForScp } from './scp-snomed.js';
export type { DiagnosticSuperclass, ScpStatement, ScpStatementTable } from './scp-statements.js';
export { DIAGNOSTIC_SUPERCLASSES, parseScpStatements, SCP_STATEMENT_COLUMNS } from './scp-statements.js';
export type { MapSnomedOptions, SnomedClassEntry, SnomedLabels } from './snomed-classes.js';
export {
  mapSnomedCodes,
  parseDxCodes,
  SNOMED_CLASS_TABLE,
  SNOMED_SINUS_RHYTHM,
  SNOMED_UNMAPPED,
} from './snomed-classes.js';
