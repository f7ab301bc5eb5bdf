/**
 * Harness of the device end-to-end tests: a subscriber that records every embedding seq (and duplicates)
 * and the state messages, and a `pnpm heartline device …` child process in its own process group so
 * SIGKILL takes down pnpm, tsx and node together.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { decodeEmbeddingMessage, TOPICS } from '@heartline/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { repoRoot } from './support/run-heartline.js';

/** What the subscriber saw. */
export interface Received {
  /** Times each seq arrived, by device. */
  readonly seqs: Map<number, number>;
  readonly states: Record<string, unknown>[];
  readonly releases: Set<string>;
  /** Release of each seq. */
  readonly releaseOf: Map<number, string>;
  client: MqttClient;
}

/** A persistent-session subscriber (QoS 1, clean = false) on every device's embeddings and states. */
export async function subscribe(url: string, password: string, deviceId: string): Promise<Received> {
  const seqs = new Map<number, number>();
  const states: Record<string, unknown>[] = [];
  const releases = new Set<string>();
  const releaseOf = new Map<number, string>();
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: `hl-test-subscriber-${deviceId}`,
    username: 'subscriber',
    password,
    clean: false,
    reconnectPeriod: 200,
  });
  client.on('message', (topic, payload) => {
    if (topic === TOPICS.embedding(deviceId)) {
      const m = decodeEmbeddingMessage(new Uint8Array(payload));
      seqs.set(m.seq, (seqs.get(m.seq) ?? 0) + 1);
      releases.add(m.release);
      releaseOf.set(m.seq, m.release);
    } else if (topic === TOPICS.state(deviceId) && payload.length > 0) {
      states.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    }
  });
  await client.subscribeAsync([TOPICS.embedding(deviceId), TOPICS.state(deviceId)], { qos: 1 });
  return { seqs, states, releases, releaseOf, client };
}

/** A device CLI process. */
export interface DeviceProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  /** SIGKILL to the whole process group. */
  kill(): void;
}

/** Spawns `pnpm heartline device ARGS` from the repository root. */
export function spawnDevice(args: readonly string[]): DeviceProcess {
  const child = spawn('pnpm', ['--silent', 'heartline', 'device', ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => {
    text += d;
  });
  child.stderr!.on('data', (d) => {
    text += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    kill: () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

/**
 * The queue depth in the last status line the device printed as offline after `from` characters of its
 * output (0 when there is none yet): evidence that it keeps encoding into its disk queue meanwhile.
 */
export function queuedOffline(device: DeviceProcess, from = 0): number {
  const lines = [
    ...device
      .output()
      .slice(from)
      .matchAll(/\[offline\] encoded \d+ · sent \d+ · queued (\d+)/g),
  ];
  return Number(lines.at(-1)?.[1] ?? 0);
}

/** Seqs 0…max that never arrived, and how many arrived more than once. */
export function gapsAndDuplicates(seqs: Map<number, number>): {
  max: number;
  missing: number[];
  duplicates: number;
} {
  const max = Math.max(-1, ...seqs.keys());
  const missing: number[] = [];
  for (let s = 0; s <= max; s++) if (!seqs.has(s)) missing.push(s);
  let duplicates = 0;
  for (const n of seqs.values()) duplicates += n - 1;
  return { max, missing, duplicates };
}
