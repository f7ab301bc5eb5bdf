/**
 * A size limit on MQTT packets enforced on the raw byte stream, before the broker's parser buffers
 * anything. The broker's parser (mqtt-packet) holds a packet in memory until its last byte arrives, so a
 * client that never logs in could otherwise stream a CONNECT or PUBLISH of hundreds of megabytes into the
 * process. The guard reads only each fixed header (type byte and remaining-length varint, MQTT 3.1.1
 * §2.2) as the bytes go past and skips the bodies by count, so a packet that announces more than the limit
 * is refused after at most its 5 header bytes, whatever the chunking.
 *
 * Before the client is accepted (CONNACK sent) the limits are much smaller: the first packet must be a
 * CONNECT, every packet must fit `maxPreAuthPacketBytes`, and all bytes together `maxPreAuthBytes`.
 */
import { Duplex } from 'node:stream';

/** Limits of {@link MqttFrameGuard}, in bytes of whole packets (fixed header included). */
export interface PacketSizeLimits {
  /** Largest packet once the client has been accepted. */
  readonly maxPacketBytes: number;
  /** Largest packet before that: the CONNECT and anything pipelined behind it. */
  readonly maxPreAuthPacketBytes: number;
  /** Every byte a client sends before it is accepted, together. */
  readonly maxPreAuthBytes: number;
}

/** Default limits: 64 KiB packets (room for the 64 KiB payload limit's topic), 4 KiB CONNECT. */
export const DEFAULT_PACKET_SIZE_LIMITS: PacketSizeLimits = {
  maxPacketBytes: 65_536 + 1024,
  maxPreAuthPacketBytes: 4096,
  maxPreAuthBytes: 16_384,
};

/** Why a stream was cut, with the figures for the log line. */
export interface FrameRefusal {
  readonly reason: 'packet-too-large' | 'malformed-length' | 'connect-first' | 'pre-auth-bytes';
  /** Whole size the refused packet announced (fixed header included), when known. */
  readonly announced?: number;
  /** The limit it broke. */
  readonly limit: number;
  /** Bytes the guard had let through when it decided (the refusing chunk excluded). */
  readonly bytesAccepted: number;
  /** Whether the client had been accepted (so the packet was, e.g., a PUBLISH over the payload limit). */
  readonly afterAccept: boolean;
}

const CONNECT = 1;

/**
 * The framing state machine: feed it every chunk in order; it returns a refusal as soon as the bytes
 * break a limit (and the same refusal for every later chunk). Pure: no I/O, no timers.
 */
export class MqttFrameGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private packetType = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private packets = 0;
  private accepted = false;
  private refusal: FrameRefusal | undefined;
  /** Bytes let through so far. */
  bytesAccepted = 0;

  constructor(private readonly limits: PacketSizeLimits = DEFAULT_PACKET_SIZE_LIMITS) {}

  /** The client has been accepted (CONNACK 0): from now on packets may be up to `maxPacketBytes`. */
  accept(): void {
    this.accepted = true;
  }

  /** The refusal, once there is one. */
  get refused(): FrameRefusal | undefined {
    return this.refusal;
  }

  /** Checks the next chunk of the stream; a refusal means: cut the connection, do not pass the chunk on. */
  feed(chunk: Uint8Array): FrameRefusal | undefined {
    if (this.refusal) return this.refusal;
    // Before acceptance only the budget's worth of bytes is read (the verdict must not depend on chunking).
    const end = this.accepted
      ? chunk.length
      : Math.min(chunk.length, this.limits.maxPreAuthBytes - this.bytesAccepted);
    let i = 0;
    while (i < end) {
      if (this.state === 'body') {
        const skip = Math.min(this.bodyLeft, end - i);
        this.bodyLeft -= skip;
        i += skip;
        if (this.bodyLeft === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.packetType = byte >> 4;
        if (this.packets === 0 && this.packetType !== CONNECT) {
          return this.refuse({ reason: 'connect-first', limit: 0 });
        }
        this.packets++;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        this.state = 'length';
        continue;
      }
      // Remaining length: 7 bits a byte, least significant first, at most 4 bytes (§2.2.3).
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return this.refuse({ reason: 'malformed-length', limit: 4 });
        continue;
      }
      const announced = 1 + this.lengthBytes + this.length;
      const limit = this.accepted ? this.limits.maxPacketBytes : this.limits.maxPreAuthPacketBytes;
      if (announced > limit) return this.refuse({ reason: 'packet-too-large', announced, limit });
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? 'type' : 'body';
    }
    if (end < chunk.length)
      return this.refuse({ reason: 'pre-auth-bytes', limit: this.limits.maxPreAuthBytes });
    this.bytesAccepted += chunk.length;
    return undefined;
  }

  private refuse(refusal: Omit<FrameRefusal, 'bytesAccepted' | 'afterAccept'>): FrameRefusal {
    this.refusal = { ...refusal, bytesAccepted: this.bytesAccepted, afterAccept: this.accepted };
    return this.refusal;
  }
}

/**
 * `inner` behind a {@link MqttFrameGuard}: what the broker reads from the returned stream has passed the
 * guard; a chunk that breaks a limit is dropped, `onRefused` is told and both streams are destroyed.
 * Writes go straight to `inner`. `remoteAddress` is the peer's address (for per-IP login limits).
 */
export class GuardedStream extends Duplex {
  readonly guard: MqttFrameGuard;

  constructor(
    /** The connection underneath (the TLS socket, for the client certificate). */
    readonly inner: Duplex,
    limits: PacketSizeLimits,
    readonly remoteAddress: string,
    onRefused: (refusal: FrameRefusal) => void,
  ) {
    super({ allowHalfOpen: false });
    this.guard = new MqttFrameGuard(limits);
    inner.on('data', (chunk: Buffer) => {
      const refusal = this.guard.feed(chunk);
      if (refusal) {
        onRefused(refusal);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => this.destroy());
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.inner.write(chunk, encoding)) done();
    else this.inner.once('drain', () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    this.inner.end(() => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.inner.destroy();
    done(error);
  }
}
