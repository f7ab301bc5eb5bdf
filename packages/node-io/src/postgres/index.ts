/** Local PostgreSQL clusters: finding the server programs, and starting a cluster in a folder. */
export {
  type ClusterOwner,
  clusterOwner,
  findPostgresBinaries,
  type PostgresBinaries,
  type PostgresLookup,
  postgresUnavailableReason,
} from './binaries.js';
export { type PostgresCluster, type PostgresClusterOptions, startPostgresCluster } from './cluster.js';
export { giveToOwner, runAsOwner } from './run-as-owner.js';
