/**
 * The ingest benchmark's devices in a child process (bench/ingest-devices.worker.ts over IPC), so the
 * CPU time of the benchmark's own process is the cloud's.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DeviceCommand, DeviceReply } from './ingest-devices.worker.js';

/** Sends commands to the devices and stops them. */
export interface Devices {
  send(command: DeviceCommand): Promise<number[]>;
  stop(): Promise<void>;
  /** The process's id (for its CPU time). */
  readonly pid: number | undefined;
}

export function startDevicesProcess(): Devices {
  const loader = new URL('../scripts/dev/register-tsx.mjs', import.meta.url).href;
  const child = fork(fileURLToPath(new URL('./ingest-devices.worker.ts', import.meta.url)), {
    execArgv: ['--import', loader, '--conditions=source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    pid: child.pid,
    send(command) {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`devices exited with code ${code}`));
        child.once('exit', onExit);
        child.once('message', (reply: DeviceReply | { kind: 'error'; message: string }) => {
          child.off('exit', onExit);
          if (reply.kind === 'done') resolve(reply.sentAt);
          else reject(new Error(`devices: ${reply.message}`));
        });
        child.send(command);
      });
    },
    stop() {
      if (child.exitCode !== null) return Promise.resolve();
      return new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    },
  };
}
