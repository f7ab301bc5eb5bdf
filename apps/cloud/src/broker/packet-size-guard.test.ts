import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FrameRefusal, MqttFrameGuard, type PacketSizeLimits } from './packet-size-guard.js';

const LIMITS: PacketSizeLimits = { maxPacketBytes: 2048, maxPreAuthPacketBytes: 256, maxPreAuthBytes: 1024 };

/** Remaining-length varint (MQTT 3.1.1 §2.2.3). */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** A packet of `type` with a body of `bodyLength` bytes of `fill`. */
function packet(type: number, bodyLength: number, fill = 0): Uint8Array {
  return Uint8Array.from([type << 4, ...varint(bodyLength), ...new Array<number>(bodyLength).fill(fill)]);
}

/** `bytes` cut at the given offsets. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    if (cut > from) out.push(bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  return out;
}

/** Feeds the chunks; the refusal (if any) and how many bytes went through before it. */
function run(chunks: Uint8Array[], acceptAfter?: number): { refusal?: FrameRefusal; passed: number } {
  const guard = new MqttFrameGuard(LIMITS);
  let passed = 0;
  for (const chunk of chunks) {
    if (acceptAfter !== undefined && passed >= acceptAfter) guard.accept();
    const refusal = guard.feed(chunk);
    if (refusal) return { refusal, passed };
    passed += chunk.length;
  }
  return { passed };
}

const params = (seed?: number) => ({ numRuns: 300, ...(seed === undefined ? {} : { seed }) });

describe('MqttFrameGuard', () => {
  it('passes a CONNECT within the pre-auth limit and refuses a bigger one from its header alone', () => {
    expect(run([packet(1, 200)]).refusal).toBeUndefined();
    const refused = run([packet(1, 300).subarray(0, 3)]).refusal;
    expect(refused).toMatchObject({
      reason: 'packet-too-large',
      announced: 303,
      limit: 256,
      bytesAccepted: 0,
    });
  });

  it('refuses a stream that does not start with a CONNECT', () => {
    expect(run([packet(3, 10)]).refusal?.reason).toBe('connect-first');
  });

  it('refuses a remaining length longer than 4 bytes', () => {
    expect(run([Uint8Array.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])]).refusal?.reason).toBe(
      'malformed-length',
    );
  });

  it('allows packets up to the full limit once accepted, not before', () => {
    const bytes = Uint8Array.from([...packet(1, 100), ...packet(3, 2000)]);
    expect(run([bytes]).refusal?.reason).toBe('packet-too-large');
    const connect = packet(1, 100);
    expect(run([connect, packet(3, 2000)], connect.length).refusal).toBeUndefined();
    expect(run([connect, packet(3, 2100)], connect.length).refusal).toMatchObject({ announced: 2103 });
  });

  it('caps all bytes before acceptance', () => {
    const chunks = [packet(1, 200), ...Array.from({ length: 10 }, () => packet(3, 200))];
    expect(run(chunks).refusal?.reason).toBe('pre-auth-bytes');
    expect(run(chunks, chunks[0]!.length).refusal).toBeUndefined();
  });

  // Raw bytes from an unauthenticated client are unbounded: whatever they are and however they are cut,
  // the guard decides the same way and never lets more than the pre-auth budget through.
  it('property: any byte stream, any chunking: same verdict, never more than the budget through', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    try {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 3000 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          fc.boolean(),
          (raw, cuts, startWithConnect) => {
            const bytes = startWithConnect && raw.length > 0 ? Uint8Array.from([0x10, ...raw.slice(1)]) : raw;
            const whole = run([bytes]);
            const pieces = run(chunked(bytes, cuts));
            expect(pieces.refusal?.reason).toBe(whole.refusal?.reason);
            expect(pieces.refusal?.announced).toBe(whole.refusal?.announced);
            expect(pieces.passed).toBeLessThanOrEqual(LIMITS.maxPreAuthBytes);
          },
        ),
        params(seed),
      );
    } catch (error) {
      console.error(`fast-check seed ${seed} (rerun with FC_SEED=${seed})`);
      throw error;
    }
  });

  it('property: well-formed packets within the limits always pass, in any chunking', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 250 }),
          fc.array(fc.tuple(fc.integer({ min: 2, max: 14 }), fc.integer({ min: 0, max: 2044 })), {
            maxLength: 8,
          }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (connectBody, rest, cuts) => {
            const connect = packet(1, connectBody, 0xaa);
            const guard = new MqttFrameGuard(LIMITS);
            for (const chunk of chunked(connect, cuts)) expect(guard.feed(chunk)).toBeUndefined();
            guard.accept();
            const stream = Uint8Array.from(rest.flatMap(([type, length]) => [...packet(type, length, 0xff)]));
            for (const chunk of chunked(stream, cuts)) expect(guard.feed(chunk)).toBeUndefined();
            expect(guard.bytesAccepted).toBe(connect.length + stream.length);
          },
        ),
        params(seed),
      );
    } catch (error) {
      console.error(`fast-check seed ${seed} (rerun with FC_SEED=${seed})`);
      throw error;
    }
  });

  it('property: an oversized packet is refused within its 5 header bytes', () => {
    const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31);
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 2049, max: 268_435_455 }),
          fc.integer({ min: 2, max: 14 }),
          (size, type) => {
            const guard = new MqttFrameGuard(LIMITS);
            expect(guard.feed(packet(1, 10))).toBeUndefined();
            guard.accept();
            const header = Uint8Array.from([type << 4, ...varint(size)]);
            let refusal: FrameRefusal | undefined;
            for (const byte of header) refusal ??= guard.feed(Uint8Array.of(byte));
            expect(refusal).toMatchObject({
              reason: 'packet-too-large',
              announced: 1 + header.length - 1 + size,
            });
            expect(refusal!.bytesAccepted).toBeLessThan(12 + header.length);
          },
        ),
        params(seed),
      );
    } catch (error) {
      console.error(`fast-check seed ${seed} (rerun with FC_SEED=${seed})`);
      throw error;
    }
  });
});
