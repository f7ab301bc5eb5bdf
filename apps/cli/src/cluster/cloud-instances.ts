/** The cluster's `heartline cloud` processes: started from this CLI, waited for until `/ready` says 200. */
import { setTimeout as delay } from 'node:timers/promises';
import { ClusterStartError } from '../errors.js';
import { type ManagedProcess, spawnManaged } from './child-process.js';
import { requestJson } from './instance-api.js';

/** One running instance. */
export interface CloudInstance {
  readonly index: number;
  readonly process: ManagedProcess;
  /** `http(s)://host:port` (no trailing slash). */
  readonly base: string;
}

/** What an instance is started with. */
export interface InstanceSpec {
  readonly index: number;
  /** Arguments after `heartline cloud`. */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The host name URLs use (a name the certificate has, with TLS). */
  readonly urlHost: string;
  /** CA certificate (PEM) to reach it with, under TLS. */
  readonly ca?: string | undefined;
  /** Each line of its log. */
  readonly log: (line: string) => void;
}

const READY_TIMEOUT_MS = 180_000;

/**
 * Starts `heartline cloud` (the same Node, loader and CLI script as this process) and resolves once it
 * printed its address and answers `/api/v1/ready` with 200; fails with its output when it exits first.
 */
export async function startInstance(spec: InstanceSpec): Promise<CloudInstance> {
  let address: { scheme: string; port: string } | undefined;
  const child = spawnManaged(
    `cloud-${spec.index}`,
    process.execPath,
    [...process.execArgv, process.argv[1]!, 'cloud', ...spec.args],
    {
      env: spec.env,
      onLine: (line, stream) => {
        const printed = /^cloud: (https?):\/\/\S+?:(\d+)\/api\/v1/.exec(line);
        if (printed) address ??= { scheme: printed[1]!, port: printed[2]! };
        if (stream === 'stderr') spec.log(line);
      },
    },
  );
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const fail = async (why: string): Promise<never> => {
    await child.stop(2000);
    throw new ClusterStartError(`cloud instance ${spec.index} ${why}:\n${child.output().trim()}`);
  };
  for (;;) {
    if (!child.running()) return fail(`exited (${await child.exited}) before it was ready`);
    if (Date.now() > deadline) return fail(`was not ready after ${READY_TIMEOUT_MS / 1000} s`);
    if (address) {
      const base = `${address.scheme}://${spec.urlHost}:${address.port}`;
      const ready = await requestJson(`${base}/api/v1/ready`, { ca: spec.ca, timeoutMs: 5000 }).catch(
        () => undefined,
      );
      if (ready?.status === 200) return { index: spec.index, process: child, base };
    }
    await delay(250);
  }
}
