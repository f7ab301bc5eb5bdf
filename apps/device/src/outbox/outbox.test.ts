import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const payload = (seq: number, size = 100) => new Uint8Array(size).fill(seq & 0xff);

describe('Outbox', () => {
  it('numbers messages 0, 1, 2… and hands them out oldest first', async () => {
    const box = await Outbox.open(dir, { fsync: false });
    for (let i = 0; i < 3; i++) expect(await box.append((seq) => payload(seq))).toBe(i);
    const taken = await box.take(10);
    expect(taken.map((m) => m.seq)).toEqual([0, 1, 2]);
    expect(taken[1]!.payload).toEqual(payload(1));
    // Messages being sent are not handed out twice.
    expect(await box.take(10)).toEqual([]);
  });

  it('never reuses a seq after a restart, even when every message was acknowledged', async () => {
    const box = await Outbox.open(dir, { fsync: false });
    for (let i = 0; i < 5; i++) await box.append((seq) => payload(seq));
    for (const m of await box.take(10)) await box.ack(m.seq);
    expect(box.depth).toBe(0);
    const reopened = await Outbox.open(dir, { fsync: false });
    expect(await reopened.append((seq) => payload(seq))).toBe(5);
  });

  it('resends what was not acknowledged after a restart', async () => {
    const box = await Outbox.open(dir, { fsync: false });
    for (let i = 0; i < 4; i++) await box.append((seq) => payload(seq));
    const taken = await box.take(4);
    await box.ack(taken[0]!.seq);
    await box.ack(taken[2]!.seq);
    box.nack(taken[1]!.seq);
    const reopened = await Outbox.open(dir, { fsync: false });
    expect((await reopened.take(10)).map((m) => m.seq)).toEqual([1, 3]);
  });

  it('recovers the seq from queued files when the counter file is older (crash between the two writes)', async () => {
    const box = await Outbox.open(dir, { fsync: false });
    await box.append((seq) => payload(seq));
    // A message file for seq 1 written, the crash hit before outbox.json said nextSeq = 2.
    await writeFile(join(dir, 'queue', `${'1'.padStart(15, '0')}.msg`), payload(1));
    await writeFile(join(dir, 'queue', `${'2'.padStart(15, '0')}.msg.tmp`), payload(2));
    const reopened = await Outbox.open(dir, { fsync: false });
    expect(reopened.depth).toBe(2);
    expect(await reopened.append((seq) => payload(seq))).toBe(2);
    // The torn temp file of the crash is gone.
    expect((await readdir(join(dir, 'queue'))).some((n) => n.endsWith('.tmp'))).toBe(false);
  });

  it('drops the oldest messages and counts them when the disk bound is hit', async () => {
    // Each 100-byte message takes one 4 KiB block; a 5-block bound holds 5 messages.
    const box = await Outbox.open(dir, { fsync: false, maxQueueBytes: 5 * 4096 });
    for (let i = 0; i < 8; i++) await box.append((seq) => payload(seq));
    expect(box.depth).toBe(5);
    expect(box.dropped).toBe(3);
    expect(box.queuedBytes).toBe(5 * 4096);
    expect((await box.take(10)).map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    const reopened = await Outbox.open(dir, { fsync: false, maxQueueBytes: 5 * 4096 });
    expect(reopened.dropped).toBe(3);
  });

  it('counts a 5,000-byte message as two 4 KiB blocks', async () => {
    const box = await Outbox.open(dir, { fsync: false });
    await box.append((seq) => payload(seq, 5000));
    expect(box.queuedBytes).toBe(8192);
  });

  it('rejects maxQueueBytes = 100, smaller than one message block', async () => {
    await expect(Outbox.open(dir, { maxQueueBytes: 100 })).rejects.toThrow(/maxQueueBytes = 100/);
  });
});
