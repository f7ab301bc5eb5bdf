/**
 * Unauthenticated resource use of the embedded broker: a client that never logs in may not stream a huge
 * packet into the process (TCP or WebSocket) nor hold a connection open without sending its CONNECT.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker.js';

let broker: EmbeddedBroker;
const refusals: { reason: string; detail: string }[] = [];

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    port: 0,
    wsPort: 0,
    connectTimeoutMs: 400,
    authenticateDevice: async (id, secret) =>
      id === 'dev-1' && secret === 'good' ? { channel: 'stable' } : undefined,
    onRefusal: (reason, detail) => refusals.push({ reason, detail }),
  });
});
afterAll(() => broker.close());

/** The fixed header of a CONNECT announcing `bodyLength` bytes. */
function connectHeader(bodyLength: number): Buffer {
  const bytes = [0x10];
  let n = bodyLength;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** Writes `total` bytes (header first, then zeros) as fast as the socket takes them, until it closes. */
async function stream(socket: Socket, header: Buffer, total: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  await new Promise<void>((r) => socket.write(header, () => r()));
  written += header.length;
  while (!closed && written < total) {
    if (!socket.write(chunk)) {
      await new Promise((r) => {
        socket.once('drain', r);
        socket.once('close', r);
      });
    }
    written += chunk.length;
  }
  return written;
}

describe('embedded broker before authentication', () => {
  it('cuts three clients streaming 200 MB CONNECTs after their headers; memory does not follow', async () => {
    const before = refusals.length;
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const total = 200 * 1024 * 1024;
    const written = await Promise.all(
      [1, 2, 3].map(async () => {
        const socket = connect(broker.port, '127.0.0.1');
        socket.on('error', () => undefined);
        const closed = new Promise((r) => socket.on('close', r));
        await once(socket, 'connect');
        const bytes = await stream(socket, connectHeader(total), total);
        await closed;
        return bytes;
      }),
    );
    const cut = refusals.slice(before).filter((r) => r.reason === 'packet-too-large');
    expect(cut, JSON.stringify(refusals)).toHaveLength(3);
    // The broker let nothing of them through: each refusal came from the header.
    for (const refusal of cut) {
      expect(Number(/cut after (\d+) bytes/.exec(refusal.detail)?.[1])).toBeLessThanOrEqual(4096);
    }
    // The clients got far less than 200 MB each out before the connection died (kernel buffers aside).
    for (const bytes of written) expect(bytes).toBeLessThan(50 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('cuts a client whose pre-auth bytes exceed the CONNECT limit, even with a small header first', async () => {
    const before = refusals.length;
    const socket = connect(broker.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise((r) => socket.on('close', r));
    await once(socket, 'connect');
    // A 10 KB CONNECT: over the 4 KiB pre-auth packet limit.
    await stream(socket, connectHeader(10_000), 10_003);
    await closed;
    expect(refusals.slice(before).map((r) => r.reason)).toContain('packet-too-large');
  });

  it('cuts a WebSocket client announcing a huge CONNECT, and refuses one huge WebSocket message', async () => {
    const before = refusals.length;
    const ws = new WebSocket(`ws://127.0.0.1:${broker.wsPort}`, 'mqtt');
    await once(ws, 'open');
    const closed = once(ws, 'close');
    ws.send(Buffer.concat([connectHeader(200 * 1024 * 1024), Buffer.alloc(1024)]));
    await closed;
    expect(refusals.slice(before).map((r) => r.reason)).toContain('packet-too-large');

    // One 8 MB message: ws itself refuses it (its maxPayload) before buffering it all.
    const big = new WebSocket(`ws://127.0.0.1:${broker.wsPort}`, 'mqtt');
    big.on('error', () => undefined);
    await once(big, 'open');
    const bigClosed = once(big, 'close');
    big.send(Buffer.alloc(8 * 1024 * 1024));
    const [code] = (await bigClosed) as [number];
    expect(code).toBe(1009); // message too big
  });

  it('closes a connection that sends nothing within the connect timeout', async () => {
    const socket = connect(broker.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const started = Date.now();
    await once(socket, 'close');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(3000);
  });

  it('still lets a device in and takes its packets above the pre-auth limit after CONNACK', async () => {
    const received: number[] = [];
    let got: () => void = () => undefined;
    const arrived = new Promise<void>((r) => {
      got = r;
    });
    await broker.bus.subscribe('hl/v1/dev/+/emb', (_topic, payload) => {
      received.push(payload.length);
      got();
    });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      clientId: 'hl-dev-dev-1',
      username: 'dev-1',
      password: 'good',
      reconnectPeriod: 0,
    });
    await client.publishAsync('hl/v1/dev/dev-1/emb', Buffer.alloc(20_000), { qos: 1 });
    await arrived;
    expect(received).toContain(20_000);
    await client.endAsync();
  });
});
