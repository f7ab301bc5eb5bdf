/** Fixtures for tests only: no application code imports this package. */

export { PostgresServerError, PostgresUnavailableError } from './errors.js';
export { MOSQUITTO, startMosquitto } from './mosquitto.js';
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
  type DatabaseTarget,
  databaseTargets,
  findPostgresBinaries,
  type PostgresBinaries,
  type PostgresServer,
  type PostgresServerOptions,
  postgresAvailable,
  postgresForTest,
  postgresUnavailableReason,
  startPostgresServer,
  stopTestPostgres,
} from './postgres/index.js';
export {
  type FileServer,
  generateSigningKeys,
  makeRelease,
  type ReleaseFixture,
  resign,
  serveFiles,
} from './release-fixture.js';
