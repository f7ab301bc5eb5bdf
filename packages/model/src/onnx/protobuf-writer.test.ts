import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ProtoWriter', () => {
  it('writes varint 150 in field 1 as 08 96 01 (the protobuf encoding guide example)', () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('089601');
  });

  it('writes string "testing" in field 2 as 12 07 + its bytes (the encoding guide example)', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
  });

  it('writes int64 −1 as ten bytes of two’s complement', () => {
    expect(hex(new ProtoWriter().int(1, -1).finish())).toBe(`08${'ff'.repeat(9)}01`);
  });

  it('writes float 1.0 in field 2 as tag 0x15 and little-endian 0x3f800000', () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
  });

  it('writes packed ints [3, 270] in field 4 as 22 03 03 8e 02', () => {
    expect(hex(new ProtoWriter().packedInts(4, [3, 270]).finish())).toBe('2203038e02');
  });

  it('nests a message as a length-delimited field and grows past its initial buffer', () => {
    const inner = new ProtoWriter().int(1, 150);
    expect(hex(new ProtoWriter().message(3, inner).finish())).toBe('1a03089601');
    const big = new ProtoWriter().bytes(1, new Uint8Array(1000).fill(7)).finish();
    expect(big.length).toBe(1 + 2 + 1000);
    expect(big[3]).toBe(7);
  });
});
