/**
 * Brokers for the device end-to-end tests: aedes in this process (stoppable: the listener closes and
 * every connection drops, the in-memory sessions survive as a persistent broker's would), and Debian's
 * mosquitto as a child process with a password file, an ACL and on-disk persistence.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server, Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@heartline/node-io';
import { Aedes } from 'aedes';
import { vi } from 'vitest';

export { freePort };

/** A broker that can be stopped and started again on the same port. */
export interface TestBroker {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Credentials every test broker accepts. */
export type Credentials = Readonly<Record<string, string>>;

/** aedes in-process: username/password checked, devices may publish only under their own topics. */
export async function startAedes(credentials: Credentials): Promise<TestBroker> {
  const port = await freePort();
  const aedes = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const ok = username !== undefined && credentials[username] === password?.toString();
      if (ok) (client as unknown as { hlUser?: string }).hlUser = username;
      done(null, ok);
    },
    authorizePublish: (client, packet, done) => {
      const user = (client as unknown as { hlUser?: string } | null)?.hlUser;
      const own = packet.topic.startsWith(`hl/v1/dev/${user}/`);
      done(own || user === 'subscriber' ? null : new Error(`${user} may not publish to ${packet.topic}`));
    },
  });
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const start = async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  };
  const stop = async () => {
    const closing = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const s of sockets) s.destroy();
    await closing;
    server = undefined;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    start,
    stop,
    close: async () => {
      await stop();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** Why mosquitto tests cannot run here, or undefined when they can. */
export function mosquittoMissing(): string | undefined {
  return existsSync('/usr/sbin/mosquitto')
    ? undefined
    : 'mosquitto is not installed (apt-get install mosquitto): the mosquitto device test is skipped';
}

/**
 * mosquitto on a free port with `dir` for its config, password file (mosquitto_passwd -b, or
 * allow_anonymous when that tool is absent, as the returned `auth` says) and persistence.
 */
export async function startMosquitto(
  dir: string,
  credentials: Credentials,
): Promise<TestBroker & { auth: string }> {
  const port = await freePort();
  const passwd = join(dir, 'passwd');
  let auth = 'password file';
  try {
    await writeFile(passwd, '');
    for (const [user, password] of Object.entries(credentials)) {
      execFileSync('mosquitto_passwd', ['-b', passwd, user, password], { stdio: 'ignore' });
    }
  } catch {
    auth = 'anonymous (mosquitto_passwd missing)';
  }
  const acl = join(dir, 'acl');
  await writeFile(
    acl,
    'user subscriber\ntopic readwrite hl/v1/#\n\npattern readwrite hl/v1/dev/%u/#\npattern read hl/v1/rel/#\n',
  );
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      // As root, mosquitto would switch to its own user, which cannot read this private temp folder.
      process.getuid?.() === 0 ? 'user root' : '',
      `listener ${port} 127.0.0.1`,
      auth === 'password file' ? `allow_anonymous false\npassword_file ${passwd}` : 'allow_anonymous true',
      `acl_file ${acl}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'max_queued_messages 100000',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) console.log(`mosquitto exited with ${code}`);
    });
    // Ready when the port accepts connections.
    await vi.waitFor(
      () =>
        new Promise<void>((resolve, reject) => {
          const s = new Socket();
          s.once('connect', () => {
            s.destroy();
            resolve();
          });
          s.once('error', () => reject(new Error(`mosquitto did not listen on ${port}`)));
          s.connect(port, '127.0.0.1');
        }),
      { timeout: 10_000, interval: 50 },
    );
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return { url: `mqtt://127.0.0.1:${port}`, auth, start, stop, close: stop };
}
