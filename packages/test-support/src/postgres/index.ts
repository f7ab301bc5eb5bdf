/** Throwaway PostgreSQL servers for tests, and whether this machine can start one. */
export {
  type ClusterOwner,
  findPostgresBinaries,
  type PostgresBinaries,
  postgresAvailable,
  postgresForTest,
  postgresUnavailableReason,
} from './binaries.js';
export { type DatabaseTarget, databaseTargets, stopTestPostgres } from './database-targets.js';
export { type PostgresServer, type PostgresServerOptions, startPostgresServer } from './server.js';
