export type {
  Draft,
  DraftClassScore,
  DraftCode,
  DraftInput,
  DraftNeighbour,
  DraftOptions,
  DraftSource,
  DraftStatement,
  ThresholdSource,
} from './draft.js';
export { draftReport } from './draft.js';
export type { ReportContent } from './edit-distance.js';
export { signOffEditDistance } from './edit-distance.js';
export { normaliseStatement, splitStatements } from './statements.js';
export type { CaseDoubt } from './worklist-order.js';
export { orderWorklist, uncertainty } from './worklist-order.js';
