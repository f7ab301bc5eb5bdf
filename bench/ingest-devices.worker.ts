/**
 * Devices for the ingest benchmark, in a process of their own (or a worker thread) so that encoding and
 * publishing (the devices' work, on other machines in real use) share neither the cloud's event loop nor
 * the CPU time counted as the cloud's. Each command connects the
 * given devices to the broker if needed, publishes embedding messages at QoS 1 and answers with the
 * wall-clock time (`performance.timeOrigin + performance.now()`) each message was handed to its client.
 */
import { parentPort } from 'node:worker_threads';
import { encodeEmbeddingMessage } from '@heartline/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { ClusteredVectors } from './clustered-vectors.js';

/** What the benchmark asks of the devices. */
export type DeviceCommand =
  | {
      readonly kind: 'connect';
      readonly url: string;
      /** For mqtts://: the CA the broker's certificate is verified against. */
      readonly ca?: string;
      readonly devices: readonly { readonly id: string; readonly password: string }[];
      readonly release: string;
      readonly ecgDim: number;
    }
  | {
      /** Every device publishes `count` messages from `fromSeq` as fast as its client takes them. */
      readonly kind: 'burst';
      readonly fromSeq: number;
      readonly count: number;
    }
  | {
      /** The first device publishes `count` messages from `fromSeq` at `perSecond`. */
      readonly kind: 'steady';
      readonly fromSeq: number;
      readonly count: number;
      readonly perSecond: number;
    }
  | { readonly kind: 'close' };

/** The devices' answer: the command is done; `sentAt[i]` is when message `fromSeq + i` was published. */
export interface DeviceReply {
  readonly kind: 'done';
  readonly sentAt: number[];
}

/** The benchmark's end of the channel: the worker port, or the IPC channel of a forked process. */
const port: {
  on(event: 'message', listener: (command: DeviceCommand) => void): void;
  postMessage(message: unknown): void;
} =
  parentPort ??
  (() => {
    if (!process.send)
      throw new Error('ingest-devices.worker.ts runs as a worker thread or a forked process');
    return {
      on: (event: 'message', listener: (command: DeviceCommand) => void) => process.on(event, listener),
      postMessage: (message: unknown) => process.send!(message),
    };
  })();

let clients: { id: string; client: MqttClient }[] = [];
let release = '';
let ecgDim = 0;
// h_ecg drawn like real embeddings (clustered, varied): near-identical vectors would make the HNSW
// inserts they cause unrealistically slow.
let generator: ClusteredVectors | undefined;

const now = () => performance.timeOrigin + performance.now();

function payload(deviceId: string, seq: number): Buffer {
  const h = new Float32Array(ecgDim);
  generator!.next(h);
  return Buffer.from(
    encodeEmbeddingMessage({
      v: 1,
      deviceId,
      seq,
      t0: 1_764_000_000_000 + seq * 10_000,
      release,
      leadMask: 0xfff,
      quality: 1,
      h,
    }),
  );
}

async function run(command: DeviceCommand): Promise<number[]> {
  switch (command.kind) {
    case 'connect':
      release = command.release;
      ecgDim = command.ecgDim;
      generator = new ClusteredVectors({ dim: ecgDim, seed: 11 });
      clients = await Promise.all(
        command.devices.map(async ({ id, password }) => ({
          id,
          client: await mqtt.connectAsync(command.url, {
            clientId: `hl-dev-${id}`,
            username: id,
            password,
            reconnectPeriod: 0,
            ...(command.ca ? { ca: command.ca, rejectUnauthorized: true } : {}),
          }),
        })),
      );
      return [];
    case 'burst': {
      const all = clients.map(({ id }) =>
        Array.from({ length: command.count }, (_, i) => payload(id, command.fromSeq + i)),
      );
      await Promise.all(
        clients.map(({ id, client }, d) =>
          Promise.all(all[d]!.map((p) => client.publishAsync(`hl/v1/dev/${id}/emb`, p, { qos: 1 }))),
        ),
      );
      return [];
    }
    case 'steady': {
      const { id, client } = clients[0]!;
      const messages = Array.from({ length: command.count }, (_, i) => payload(id, command.fromSeq + i));
      const sentAt: number[] = [];
      const start = performance.now();
      const acks: Promise<unknown>[] = [];
      while (sentAt.length < messages.length) {
        const due = Math.min(
          messages.length,
          Math.floor(((performance.now() - start) * command.perSecond) / 1000),
        );
        while (sentAt.length < due) {
          const i = sentAt.length;
          sentAt.push(now());
          acks.push(client.publishAsync(`hl/v1/dev/${id}/emb`, messages[i]!, { qos: 1 }));
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      await Promise.all(acks);
      return sentAt;
    }
    case 'close':
      await Promise.all(clients.map(({ client }) => client.endAsync()));
      clients = [];
      return [];
  }
}

port.on('message', (command: DeviceCommand) => {
  run(command).then(
    (sentAt) => port.postMessage({ kind: 'done', sentAt } satisfies DeviceReply),
    (error: unknown) => port.postMessage({ kind: 'error', message: String(error) }),
  );
});
