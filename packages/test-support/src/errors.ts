/**
 * Errors of the test fixtures: each with a stable `code`, as every heartline error. The PostgreSQL ones
 * are node-io's (which starts the clusters), exported again here for the tests that name them.
 */
export { PostgresServerError, PostgresUnavailableError } from '@heartline/node-io';
