/** Small waits of `start --cluster`: a free port, and the signal (or timer) that stops it. */
export { freePort } from '@heartline/node-io';

/** Resolves on SIGINT or SIGTERM, or after `seconds` when given. */
export function waitForStop(seconds?: number): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      clearTimeout(timer);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    const timer = seconds === undefined ? undefined : setTimeout(finish, seconds * 1000);
  });
}
