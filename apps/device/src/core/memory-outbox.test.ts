import { describe, expect, it } from 'vitest';
import { MemoryOutbox, type MessageJournal, type SequenceStore } from './memory-outbox.js';
import type { QueuedMessage } from './ports.js';

/** A journal and a sequence store in maps: what IndexedDB and localStorage keep across a reload. */
function durable() {
  const rows = new Map<number, QueuedMessage>();
  const seqs = new Map<string, number>();
  const journal: MessageJournal = {
    load: async () => [...rows.values()].reverse(),
    put: async (m) => void rows.set(m.seq, m),
    delete: async (seq) => void rows.delete(seq),
  };
  const sequence: SequenceStore = {
    load: (id) => seqs.get(id) ?? 0,
    save: (id, next) => void seqs.set(id, next),
  };
  return { rows, seqs, journal, sequence };
}

const payload = (seq: number) => Uint8Array.of(seq);

describe('MemoryOutbox', () => {
  it('numbers messages 0, 1, 2… and hands each out once until it is nacked', async () => {
    const box = await MemoryOutbox.open({ deviceId: 'd' });
    for (let i = 0; i < 3; i++) expect(await box.append(payload)).toBe(i);
    expect((await box.take(10)).map((m) => m.seq)).toEqual([0, 1, 2]);
    expect(await box.take(10)).toEqual([]);
    box.nack(1);
    expect((await box.take(10)).map((m) => m.seq)).toEqual([1]);
    await box.ack(0);
    expect(box.depth).toBe(2);
  });

  it('resends after a reload what was not acknowledged, and never reuses a seq', async () => {
    const store = durable();
    const box = await MemoryOutbox.open({ deviceId: 'd', journal: store.journal, sequence: store.sequence });
    for (let i = 0; i < 4; i++) await box.append(payload);
    const taken = await box.take(4);
    await box.ack(taken[0]!.seq);
    await box.ack(taken[2]!.seq);
    const reopened = await MemoryOutbox.open({
      deviceId: 'd',
      journal: store.journal,
      sequence: store.sequence,
    });
    expect((await reopened.take(10)).map((m) => m.seq)).toEqual([1, 3]);
    expect(await reopened.append(payload)).toBe(4);
  });

  it('takes the seq after the highest journaled message when the stored seq is behind', async () => {
    const store = durable();
    store.rows.set(7, { seq: 7, payload: payload(7) });
    store.seqs.set('d', 3);
    const box = await MemoryOutbox.open({ deviceId: 'd', journal: store.journal, sequence: store.sequence });
    expect(box.depth).toBe(1);
    expect(await box.append(payload)).toBe(8);
  });

  it('drops the oldest beyond maxMessages, from the journal too, and counts them', async () => {
    const store = durable();
    const box = await MemoryOutbox.open({ deviceId: 'd', journal: store.journal, maxMessages: 3 });
    for (let i = 0; i < 5; i++) await box.append(payload);
    expect(box.dropped).toBe(2);
    expect((await box.take(10)).map((m) => m.seq)).toEqual([2, 3, 4]);
    expect([...store.rows.keys()].sort()).toEqual([2, 3, 4]);
  });

  it('rejects maxMessages = 0', async () => {
    await expect(MemoryOutbox.open({ deviceId: 'd', maxMessages: 0 })).rejects.toThrow(/maxMessages/);
  });
});
