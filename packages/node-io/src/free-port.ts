import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 just now (the kernel's pick for port 0). Another process may take it
 * before the caller binds it; callers that can retry do.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
