/** Fixtures for tests only: no application code imports this package. */

export {
  maxAbsDiff,
  perturbedModel,
  realWindows,
  rowCosine,
  syntheticWindows,
  tfReference,
  type WindowBatch,
} from './parity-fixtures.js';
export {
  type FileServer,
  generateSigningKeys,
  makeRelease,
  type ReleaseFixture,
  resign,
  serveFiles,
} from './release-fixture.js';
