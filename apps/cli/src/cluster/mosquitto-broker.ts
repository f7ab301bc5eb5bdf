/** mosquitto for the cluster: run with the configuration the cloud package writes, waited for by port. */
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ClusterStartError } from '../errors.js';
import { type ManagedProcess, spawnManaged } from './child-process.js';

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * Starts `mosquitto -c conf` and resolves once it accepts connections on `port` (it reads its password
 * file and ACL before it listens); fails with its output when it exits first or takes over 15 s.
 */
export async function startMosquitto(program: string, conf: string, port: number): Promise<ManagedProcess> {
  const broker = spawnManaged('mosquitto', program, ['-c', conf]);
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (!broker.running() || Date.now() > deadline) {
      await broker.stop(1000);
      throw new ClusterStartError(
        `mosquitto (${program} -c ${conf}) did not listen on port ${port}: ${broker.output().trim() || 'no output'}`,
      );
    }
    await delay(100);
  }
  return broker;
}
