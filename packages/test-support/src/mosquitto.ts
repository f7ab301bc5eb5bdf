/**
 * Debian's mosquitto started on a configuration the cloud wrote (`writeMosquittoFiles`), for tests and
 * benchmarks of the external-broker path.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';

/** Where Debian installs mosquitto. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/**
 * Starts mosquitto with `<dir>/mosquitto.conf` and resolves once it accepts the cloud's login on `port`
 * (so its password file is read); fails after 10 s. The caller stops the process.
 */
export async function startMosquitto(
  dir: string,
  port: number,
  cloudPassword: string,
): Promise<ChildProcess> {
  const broker = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: 'cloud',
        password: cloudPassword,
        reconnectPeriod: 0,
      });
      await client.endAsync();
      return broker;
    } catch (error) {
      if (Date.now() > deadline || broker.exitCode !== null) {
        broker.kill('SIGKILL');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
