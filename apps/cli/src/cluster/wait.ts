/** Small waits of `start --cluster`: a free port, and the signal (or timer) that stops it. */
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 just now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

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
