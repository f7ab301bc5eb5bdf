/** Fixtures for tests only: no application code imports this package. */
export {
  type FileServer,
  generateSigningKeys,
  makeRelease,
  type ReleaseFixture,
  resign,
  serveFiles,
} from './release-fixture.js';
