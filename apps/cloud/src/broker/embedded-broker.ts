/**
 * The default broker: aedes in the cloud process with a TCP listener and MQTT over WebSocket for browser
 * devices (at `/mqtt` on the cloud's HTTP server through `attach`, and/or on a port of its own), device
 * authentication and topic ACLs. The cloud's ingest subscribes in-process, which needs
 * no credentials and skips a network hop. aedes speaks MQTT 3.1.1 only (DESIGN.md, "The wire").
 */
import { once } from 'node:events';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createWebSocketStream, type WebSocket, WebSocketServer } from 'ws';
import { clientIdAllowed, devicePublishAllowed, deviceSubscribeAllowed } from './acl.js';
import type { MessageBus, MessageHandler } from './bus.js';
import { certifiedClientId } from './client-certificate.js';
import { DeviceSessions } from './device-sessions.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginLimits } from './login-limiter.js';
import { DEFAULT_PACKET_SIZE_LIMITS, GuardedStream, type PacketSizeLimits } from './packet-size-guard.js';
import { TopicHandlers } from './topic-handlers.js';

/** Options of {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /** TCP port; 0 picks a free one. Default 1883. */
  readonly port?: number;
  /** WebSocket port; 0 picks a free one, undefined: no WebSocket listener. Default undefined. */
  readonly wsPort?: number | undefined;
  /** Interface to listen on. Default `127.0.0.1`; `0.0.0.0` to accept devices on other hosts. */
  readonly host?: string;
  /**
   * TLS for the broker's own listeners: the TCP port speaks MQTTS and the WebSocket port WSS. (WebSocket
   * on the cloud's HTTP server through `attach` is as secure as that server.) Default: plaintext.
   */
  readonly tls?: TlsOptions | undefined;
  /** Largest publish payload accepted, bytes; bigger ones are refused at the broker. Default 65 536. */
  readonly maxPayloadBytes?: number;
  /** Checks a device's credentials; resolves to its release channel, or undefined to refuse. */
  readonly authenticateDevice: (deviceId: string, secret: string) => Promise<{ channel: string } | undefined>;
  /**
   * Mutual TLS: checks a device whose client certificate the TLS listener verified (CN = device id, the
   * MQTT user name must be the same); resolves to its channel, or undefined to refuse. No secret is asked
   * for then. Undefined: certificates are not taken as credentials. Needs `tls` with `requestCert`.
   */
  readonly authenticateCertifiedDevice?:
    | ((deviceId: string) => Promise<{ channel: string } | undefined>)
    | undefined;
  /** Told about every refusal (bad credentials, foreign topic, oversized payload) with a stable reason. */
  readonly onRefusal?: (reason: string, detail: string) => void;
  /**
   * Packet size limits checked on the raw byte stream (TCP and WebSocket) before the broker buffers a
   * packet; a client breaking one is disconnected. Default {@link DEFAULT_PACKET_SIZE_LIMITS}.
   */
  readonly packetLimits?: Partial<PacketSizeLimits>;
  /** A connection that has not sent its CONNECT within this many ms is closed. Default 5000. */
  readonly connectTimeoutMs?: number;
  /**
   * Failed-login limits per client address and per device id; a refused attempt gets CONNACK 'not
   * authorized' without a secret check. Default {@link DEFAULT_LOGIN_LIMITS}; false: none.
   */
  readonly loginLimits?: LoginLimits | false;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  readonly bus: MessageBus;
  /** The TCP port it listens on. */
  readonly port: number;
  /** The WebSocket port, when listening. */
  readonly wsPort: number | undefined;
  /**
   * Serves MQTT over WebSocket on an HTTP server's upgrade requests for `path` (default `/mqtt`), so
   * browser devices reach the broker at `ws://<http host:port>/mqtt`. Other paths are left to the
   * server's other upgrade listeners (or refused when there are none).
   */
  attach(server: HttpServer, path?: string): void;
  /**
   * Closes every session of a device now and fails its logins in progress (call after revoking it or
   * rotating its secret, once the database says so); the number of sessions closed.
   */
  disconnectDevice(deviceId: string): number;
  /**
   * The channel whose release topic the device's live sessions may subscribe to from now on (call after
   * the database moved it); the number of sessions told. New logins read the database.
   */
  assignChannel(deviceId: string, channel: string): number;
  /** MQTT clients connected now (logged in: CONNACK sent). */
  readonly connectedClients: number;
  close(): Promise<void>;
}

function authError(): AuthenticateError {
  // 4 = bad user name or password (MQTT 3.1.1 CONNACK return code).
  return Object.assign(new Error('bad user name or password'), { returnCode: 4 }) as AuthenticateError;
}

function notAuthorized(): AuthenticateError {
  // 5 = not authorized: too many failed logins from this address or for this device id.
  return Object.assign(new Error('not authorized'), { returnCode: 5 }) as AuthenticateError;
}

/** Starts aedes with its listeners and returns the cloud's in-process bus to it. */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const maxPayload = options.maxPayloadBytes ?? 65_536;
  const refuse = options.onRefusal ?? (() => undefined);
  const devices = new WeakMap<Client, { deviceId: string; channel: string }>();
  const sessions = new DeviceSessions<Client>();
  const limiter =
    options.loginLimits === false ? undefined : new LoginLimiter(options.loginLimits ?? DEFAULT_LOGIN_LIMITS);

  // The cloud's in-process handlers (see `bus.subscribe`), run before a device's message is acknowledged.
  const handlers = new TopicHandlers();

  const broker = await Aedes.createBroker({
    // Messages aedes holds in flight at once (its default is 100). The cloud's ingest acknowledges a
    // message once its batch is stored, so this bounds the ingest's batch size: 100 capped it at
    // ~2k embeddings/s (bench/RESULTS.md, "ingest").
    concurrency: 10_000,
    // A connection must send its CONNECT soon (aedes' default waits 30 s, holding the socket).
    connectTimeout: options.connectTimeoutMs ?? 5000,
    authenticate(client, username, password, done) {
      const secret = password?.toString('utf8') ?? '';
      // Mutual TLS: a verified client certificate names the device; it must be the user name too.
      const certified = options.authenticateCertifiedDevice ? certifiedClientId(client.conn) : undefined;
      if (
        !username ||
        (!secret && certified === undefined) ||
        (certified !== undefined && certified !== username) ||
        !clientIdAllowed(username, client.id)
      ) {
        refuse('auth-failed', `client ${JSON.stringify(client.id)} user ${JSON.stringify(username ?? null)}`);
        done(authError(), null);
        return;
      }
      const address = client.conn instanceof GuardedStream ? client.conn.remoteAddress : 'unknown';
      if (limiter && !limiter.tryAcquire(address, username)) {
        refuse('auth-rate-limited', `user ${JSON.stringify(username)} from ${address}`);
        done(notAuthorized(), null);
        return;
      }
      // Changes when the device is disconnected (revoked, new secret) while its secret is being checked.
      const generation = sessions.generation(username);
      (certified !== undefined && options.authenticateCertifiedDevice
        ? options.authenticateCertifiedDevice(certified)
        : options.authenticateDevice(username, secret)
      ).then(
        (device) => {
          if (!device || sessions.generation(username) !== generation) {
            refuse('auth-failed', `user ${JSON.stringify(username)}`);
            done(authError(), null);
            return;
          }
          limiter?.succeeded(address, username);
          devices.set(client, { deviceId: username, channel: device.channel });
          sessions.add(username, client);
          if (client.conn.destroyed) sessions.remove(username, client);
          else client.conn.once('close', () => sessions.remove(username, client));
          done(null, true);
        },
        () => done(authError(), null),
      );
    },
    authorizePublish(client, packet, done) {
      const device = client ? devices.get(client) : undefined;
      if (!device || !devicePublishAllowed(device.deviceId, packet.topic)) {
        refuse('topic-denied', `${device?.deviceId ?? '?'} → ${packet.topic}`);
        done(new Error('topic not allowed'));
        return;
      }
      if (packet.payload.length > maxPayload) {
        refuse('too-large', `${packet.payload.length} bytes from ${device.deviceId}`);
        done(new Error('payload too large'));
        return;
      }
      // aedes writes PUBACK as soon as this returns, before it delivers to subscribers: the cloud's
      // handlers run here, so a QoS 1 message is acknowledged only once they have stored it (or
      // rejected it for good). Wills come through here too.
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      const handled = handlers.deliver(packet.topic, payload);
      if (handled) void handled.then(() => done(null));
      else done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      const device = devices.get(client);
      if (!device || !deviceSubscribeAllowed(device.deviceId, device.channel, subscription.topic)) {
        refuse('subscribe-denied', `${device?.deviceId ?? '?'} ⇠ ${subscription.topic}`);
        // A null subscription is a SUBACK failure (0x80), not a disconnect.
        done(null, null);
        return;
      }
      done(null, subscription);
    },
  });

  // Every connection reaches aedes through the packet size guard, which cuts a client as soon as a fixed
  // header announces more than the limits (aedes' parser would buffer the whole packet first).
  const packetLimits: PacketSizeLimits = {
    ...DEFAULT_PACKET_SIZE_LIMITS,
    // Room for the payload limit's topic and header, so an oversized payload is refused as 'too-large'.
    maxPacketBytes: maxPayload + 1024,
    ...options.packetLimits,
  };
  const guarded = (stream: Duplex, address: string | undefined) =>
    new GuardedStream(stream, packetLimits, address ?? 'unknown', (refusal) =>
      refuse(
        // An accepted device's oversized packet counts as what it is, an oversized payload.
        refusal.reason === 'packet-too-large' && refusal.afterAccept ? 'too-large' : refusal.reason,
        `${address ?? '?'}: packet of ${refusal.announced ?? '?'} bytes, limit ${refusal.limit}, cut after ${refusal.bytesAccepted} bytes`,
      ),
    );
  // 'client' comes before the CONNACK: from then on the client may send packets up to the full limit.
  broker.on('client', (client) => {
    if (client.conn instanceof GuardedStream) client.conn.guard.accept();
  });
  // The TCP listener speaks MQTT over TLS when `tls` is given, plain MQTT otherwise.
  const createServer = (handler: (socket: Socket) => void): Server =>
    options.tls ? createTlsServer(options.tls, handler) : createTcpServer(handler);
  const tcp: Server = createServer((socket) => broker.handle(guarded(socket, socket.remoteAddress)));
  tcp.listen(options.port ?? 1883, host);
  await once(tcp, 'listening');
  const port = (tcp.address() as { port: number }).port;

  const handleSocket = (socket: WebSocket, request: IncomingMessage) => {
    const stream = createWebSocketStream(socket);
    // A client that drops mid-frame must not take the process down.
    stream.on('error', () => socket.terminate());
    broker.handle(guarded(stream, request.socket.remoteAddress), request);
  };
  // ws buffers a whole WebSocket message before the guard sees it (its default allows 100 MiB): a message
  // may hold a few MQTT packets (browser clients coalesce corked writes), not more.
  const wsMaxPayload = 4 * packetLimits.maxPacketBytes;
  let wss: WebSocketServer | undefined;
  let wsPort: number | undefined;
  let wssHttps: HttpsServer | undefined;
  if (options.wsPort !== undefined) {
    if (options.tls) {
      wssHttps = createHttpsServer(options.tls);
      wssHttps.listen(options.wsPort, host);
      await once(wssHttps, 'listening');
    }
    wss = new WebSocketServer({
      ...(wssHttps ? { server: wssHttps } : { port: options.wsPort, host }),
      maxPayload: wsMaxPayload,
    });
    if (!wssHttps) await once(wss, 'listening');
    wsPort = (wss.address() as { port: number }).port;
    wss.on('connection', handleSocket);
  }
  // WebSocket servers sharing an HTTP server's port (see `attach`).
  const attached: WebSocketServer[] = [];

  function attach(server: HttpServer, path = '/mqtt'): void {
    const upgrades = new WebSocketServer({ noServer: true, maxPayload: wsMaxPayload });
    upgrades.on('connection', handleSocket);
    attached.push(upgrades);
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== path) {
        if (server.listenerCount('upgrade') === 1) socket.destroy();
        return;
      }
      upgrades.handleUpgrade(request, socket, head, (ws) => upgrades.emit('connection', ws, request));
    });
  }

  const bus: MessageBus = {
    kind: 'embedded',
    subscribe(filter: string, handler: MessageHandler) {
      // Device messages reach the handler inside `authorizePublish`, before the device is acknowledged.
      handlers.add(filter, handler);
      return Promise.resolve();
    },
    publish(topic, payload, publishOptions = {}) {
      return new Promise<void>((done, fail) =>
        broker.publish(
          {
            cmd: 'publish',
            topic,
            payload: typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload),
            qos: 1,
            retain: publishOptions.retain ?? false,
            dup: false,
          },
          (error) => (error ? fail(error) : done()),
        ),
      ).then(() =>
        // As on an external broker, the cloud's own handlers receive what it publishes on their topics.
        handlers.deliver(topic, typeof payload === 'string' ? Buffer.from(payload) : payload),
      );
    },
    close: () => close(),
  };

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      await new Promise<void>((done) => broker.close(() => done()));
      for (const server of [...(wss ? [wss] : []), ...attached]) {
        for (const client of server.clients) client.terminate();
        await new Promise<void>((done) => server.close(() => done()));
      }
      if (wssHttps) await new Promise<void>((done) => wssHttps!.close(() => done()));
      await new Promise<void>((done) => tcp.close(() => done()));
    })();
    return closing;
  }

  function assignChannel(deviceId: string, channel: string): number {
    const clients = sessions.clients(deviceId);
    for (const client of clients) devices.set(client, { deviceId, channel });
    return clients.length;
  }

  return {
    bus,
    port,
    wsPort,
    attach,
    disconnectDevice: (deviceId) => sessions.disconnect(deviceId),
    assignChannel,
    get connectedClients() {
      return broker.connectedClients;
    },
    close,
  };
}
