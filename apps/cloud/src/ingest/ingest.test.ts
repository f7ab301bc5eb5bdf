/**
 * The ingest against a real database, PGlite and (when installed) a PostgreSQL server: the attack that
 * stopped storage for the whole fleet, the split of a batch around a row the database refuses,
 * backpressure while the database fails, and a property-based run of thousands of arbitrary, boundary
 * and hostile messages interleaved with valid traffic from other devices.
 *
 * The release model is a stand-in (a fixed linear projection): the subject here is validation and
 * storage; the real shared encoder's projection is checked by the cloud end-to-end tests.
 */
import {
  EMBEDDING_MESSAGE_VERSION,
  type EmbeddingMessage,
  encodeEmbeddingMessage,
  FLOAT32_MAX,
  FLOAT32_MIN_NORMAL,
} from '@heartline/contract';
import { databaseTargets, stopTestPostgres } from '@heartline/test-support';
import { Encoder, Tag } from 'cbor-x';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseCatalog, type ReleaseModel } from '../releases/release-models.js';
import { listDeadLetters } from '../storage/dead-letters.js';
import { addDevice } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { registerRelease } from '../storage/releases.js';
import { Ingest } from './ingest.js';

const DIM = 8;
const SHARED = 4;
const RELEASE = 'r-prop';

/** A fixed, well-conditioned linear projection with L2 normalisation (the stand-in shared encoder). */
const standIn: ReleaseModel = {
  id: RELEASE,
  ecgDim: DIM,
  sharedDim: SHARED,
  projectEcg(h, n) {
    const z = new Float32Array(n * SHARED);
    for (let r = 0; r < n; r++) {
      let norm = 0;
      for (let j = 0; j < SHARED; j++) {
        let sum = 0;
        for (let i = 0; i < DIM; i++) sum += h[r * DIM + i]! * Math.cos((i + 1) * (j + 1));
        z[r * SHARED + j] = sum;
        norm += sum * sum;
      }
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < SHARED; j++) z[r * SHARED + j]! *= scale;
    }
    return z;
  },
  encodeText: () => new Float32Array(SHARED),
};

let db: SqlDriver;
let releases: ReleaseCatalog;
const logs: string[] = [];

afterAll(stopTestPostgres);

function newIngest(driver: SqlDriver = db, options: { retryMs?: number } = {}): Ingest {
  return new Ingest({ db: driver, releases, flushMs: 2, log: (line) => logs.push(line), ...options });
}

function valid(deviceId: string, seq: number, overrides: Partial<EmbeddingMessage> = {}): EmbeddingMessage {
  return {
    v: 1,
    deviceId,
    seq,
    t0: 1_764_000_000_000 + seq * 10_000,
    release: RELEASE,
    leadMask: 0xfff,
    quality: 0.9,
    h: Float32Array.from({ length: DIM }, (_, i) => Math.sin(seq + i) + 1.5),
    ...overrides,
  };
}

const topic = (deviceId: string) => `hl/v1/dev/${deviceId}/emb`;

async function count(deviceId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM embeddings WHERE device_id = $1',
    [deviceId],
  );
  return rows[0]!.n;
}

/**
 * A stand-in for a database that is unreachable for the queries `isDown` picks while `down` is set (a
 * lost connection has no SQLSTATE): the real disk-full fault is exercised end to end; here the point is
 * what the ingest acknowledges.
 */
function failing(isDown: (sql: string) => boolean) {
  const state = { down: true, refused: 0, driver: undefined as unknown as SqlDriver };
  state.driver = {
    ...db,
    kind: db.kind,
    query: (sql, params) => {
      if (state.down && isDown(sql)) {
        state.refused++;
        return Promise.reject(new Error('connection terminated'));
      }
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    transaction: (work) => db.transaction(work),
    close: () => Promise.resolve(),
  };
  return state;
}

/** Sends `messages` while the database is down: none is acknowledged or refused; all are stored after. */
async function expectHeldWhileDown(
  ingest: Ingest,
  flaky: ReturnType<typeof failing>,
  deviceId: string,
  messages: readonly EmbeddingMessage[],
): Promise<void> {
  const rejectedBefore = Object.values(ingest.stats().rejected).reduce((a, b) => a + b, 0);
  const before = await count(deviceId);
  let acknowledged = 0;
  const handled = messages.map((m) =>
    ingest.handle(topic(deviceId), encodeEmbeddingMessage(m)).then(() => {
      acknowledged++;
    }),
  );
  // Positive evidence that the ingest tried and backed off, twice: the database refused it.
  await expect.poll(() => flaky.refused, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  // Every message is checked and held: on a server, whose lookups take real round trips, the last ones
  // may still be in validation when the first batches are refused, so wait until all of them wait.
  await expect.poll(() => ingest.stats().waiting, { timeout: 10_000 }).toBe(messages.length);
  expect(ingest.stats().storageFailing).toBe(true);
  expect(acknowledged).toBe(0);
  flaky.down = false;
  await Promise.all(handled);
  expect(acknowledged).toBe(messages.length);
  expect(Object.values(ingest.stats().rejected).reduce((a, b) => a + b, 0)).toBe(rejectedBefore);
  expect(ingest.stats().storageFailing).toBe(false);
  expect(await count(deviceId)).toBe(before + messages.length);
  await ingest.close();
}

// ---------------------------------------------------------------------------------------------------
// Property: arbitrary, boundary and hostile messages interleaved with valid traffic.

const raw = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

/** Smallest double that rounds to float32 infinity (just past FLT_MAX). */
const PAST_FLOAT32_MAX = 3.4028235677973366e38;
const LARGEST_SUBNORMAL = 1.1754942106924411e-38;

const boundaryNumbers = fc.constantFrom(
  0,
  -0,
  1,
  0.5,
  -1,
  1e-50,
  5e-324,
  1e-40,
  LARGEST_SUBNORMAL,
  FLOAT32_MIN_NORMAL,
  -FLOAT32_MIN_NORMAL,
  FLOAT32_MAX,
  -FLOAT32_MAX,
  PAST_FLOAT32_MAX,
  1e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 63,
  -1,
  0xfff,
  0x1000,
);
const anyNumber = fc.oneof(boundaryNumbers, fc.double(), fc.integer());
const hostileString = fc.oneof(
  fc.constantFrom(
    'a\u0000b',
    '\u0000',
    'x'.repeat(65),
    'x'.repeat(5000),
    "p'; DROP TABLE embeddings;--",
    '\uD800',
    '',
  ),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
);
/** A marker replaced by invalid UTF-8 bytes after encoding (CBOR text strings must be UTF-8). */
const NOT_UTF8_MARK = 'QQnotutf8QQ';

interface Hostile {
  readonly payload: Uint8Array;
  readonly note: string;
}

function float32Tag(values: readonly number[]): Tag {
  return new Tag(new Uint8Array(Float32Array.from(values).buffer), 85);
}

const hostileMessage: fc.Arbitrary<Hostile> = fc.oneof(
  // Field by field: each field valid or hostile.
  fc
    .record({
      v: fc.oneof(fc.constant(EMBEDDING_MESSAGE_VERSION), fc.constantFrom(0, 2, '1', null, undefined, 1.5)),
      deviceId: fc.oneof(fc.constant('hostile'), fc.constant('good-1'), hostileString),
      seq: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), anyNumber),
      t0: fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), anyNumber),
      release: fc.oneof(fc.constant(RELEASE), hostileString),
      leadMask: fc.oneof(fc.integer({ min: 0, max: 0xfff }), anyNumber),
      quality: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), anyNumber),
      patientId: fc.option(hostileString, { nil: undefined }),
      studyId: fc.option(fc.oneof(hostileString, fc.constant(NOT_UTF8_MARK)), { nil: undefined }),
      h: fc.oneof(
        fc.array(fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), anyNumber), {
          minLength: DIM,
          maxLength: DIM,
        }),
        fc.array(anyNumber, { minLength: 0, maxLength: 3 * DIM }),
      ),
      hForm: fc.constantFrom('f32', 'f32', 'f32', 'f16', 'plain-array', 'bytes-odd'),
    })
    .map((m): Hostile => {
      const h =
        m.hForm === 'f32'
          ? float32Tag(m.h)
          : m.hForm === 'f16'
            ? new Tag(
                new Uint8Array(
                  new Uint16Array(m.h.map((x) => (Number.isFinite(x) ? x & 0xffff : 0x7c00))).buffer,
                ),
                84,
              )
            : m.hForm === 'bytes-odd'
              ? new Tag(new Uint8Array(4 * m.h.length + 1), 85)
              : m.h;
      const { hForm: _form, ...fields } = m;
      let payload = new Uint8Array(raw.encode({ ...fields, h }));
      const mark = Buffer.from(NOT_UTF8_MARK);
      const at = Buffer.from(payload).indexOf(mark);
      if (at >= 0) {
        payload = Uint8Array.from(payload);
        payload.set([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xff, 0xfe, 0xc0, 0x80], at);
      }
      return { payload, note: 'fields' };
    }),
  // Not a message at all.
  fc.uint8Array({ maxLength: 300 }).map((payload) => ({ payload, note: 'bytes' })),
  fc.constantFrom(new Uint8Array(9000), new Uint8Array(0)).map((payload) => ({ payload, note: 'size' })),
  fc.jsonValue().map((value) => ({ payload: new Uint8Array(raw.encode(value)), note: 'json' })),
);

type Step = { kind: 'good'; device: 'good-1' | 'good-2' } | { kind: 'hostile'; message: Hostile };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom('good-1', 'good-2').map((device) => ({ kind: 'good' as const, device })),
  },
  { weight: 2, arbitrary: hostileMessage.map((message) => ({ kind: 'hostile' as const, message })) },
);

// The cases share one database per target and run in order: the helpers above read `db` and `releases`.
describe.each(databaseTargets())('ingest on $name', (target) => {
  beforeAll(async () => {
    db = await openStorage({ databaseUrl: await target.newDatabase() });
    await registerRelease(db, {
      id: RELEASE,
      ecgDim: DIM,
      sharedDim: SHARED,
      dir: '/stand-in',
      manifest: {},
    });
    for (const id of ['good-1', 'good-2', 'hostile', 'victim']) await addDevice(db, id);
    releases = new ReleaseCatalog(db, async () => standIn);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  describe('ingest against attacks and faults', () => {
    it('quality 1e-50 from one device is refused and does not stop storage for the other devices', async () => {
      const ingest = newIngest();
      const poisoned = encodeEmbeddingMessage(valid('hostile', 1, { quality: 1e-50 }));
      const good = Array.from({ length: 20 }, (_, i) => encodeEmbeddingMessage(valid('victim', i)));
      await Promise.all([
        ingest.handle(topic('hostile'), poisoned),
        ...good.map((payload) => ingest.handle(topic('victim'), payload)),
      ]);
      // Every handle resolved: each message is stored or refused for good, none is left to retry.
      expect(ingest.stats().rejected['invalid']).toBe(1);
      expect(ingest.stats().storageFailing).toBe(false);
      expect(await count('victim')).toBe(20);
      expect(await count('hostile')).toBe(0);
      await ingest.close();
      const letters = await listDeadLetters(db, { deviceId: 'hostile' });
      expect(letters[0]?.reason).toBe('invalid');
      expect(letters[0]?.detail).toMatch(/quality/);
      expect(Buffer.from(letters[0]!.payload).equals(Buffer.from(poisoned))).toBe(true);
    });

    it('a row the database refuses is split off its batch and dead-lettered; the rest of the batch is stored', async () => {
      // A constraint validation does not know of (a rule added later): rows with quality 0.25 fail.
      await db.query('ALTER TABLE embeddings ADD CONSTRAINT no_quarter CHECK (quality <> 0.25)');
      try {
        const ingest = newIngest();
        const messages = Array.from({ length: 40 }, (_, i) =>
          valid('good-1', 10_000 + i, { quality: i === 17 ? 0.25 : 0.75 }),
        );
        await Promise.all(messages.map((m) => ingest.handle(topic('good-1'), encodeEmbeddingMessage(m))));
        expect(ingest.stats().rejected['storage-refused']).toBe(1);
        expect(ingest.stats().stored).toBe(39);
        const { rows } = await db.query<{ seq: number }>(
          'SELECT seq::int AS seq FROM embeddings WHERE device_id = $1 AND seq >= 10000 ORDER BY seq',
          ['good-1'],
        );
        expect(rows.map((r) => r.seq)).toEqual(messages.map((m) => m.seq).filter((s) => s !== 10_017));
        await ingest.close();
        const [letter] = await listDeadLetters(db, { deviceId: 'good-1' });
        expect(letter?.reason).toBe('storage-refused');
        expect(letter?.detail).toMatch(/good-1#10017.*23514/);
      } finally {
        await db.query('ALTER TABLE embeddings DROP CONSTRAINT no_quarter');
      }
    });

    it('while the database fails nothing is acknowledged, and everything is stored once it is back', async () => {
      const flaky = failing((sql) => sql.includes('INSERT INTO embeddings'));
      const ingest = newIngest(flaky.driver, { retryMs: 10 });
      const messages = Array.from({ length: 30 }, (_, i) => valid('good-2', 20_000 + i));
      await expectHeldWhileDown(ingest, flaky, 'good-2', messages);
    });

    it('a failed patient lookup holds the batch (no acknowledgement, no refusal) and the ingest recovers', async () => {
      // Before the fix this lookup ran outside the flush's error handling: the batch was dropped unanswered
      // and the flush chain, rejected for good, spun at full CPU.
      const flaky = failing((sql) => sql.includes('FROM clinical_records'));
      const ingest = newIngest(flaky.driver, { retryMs: 10 });
      const messages = Array.from({ length: 12 }, (_, i) =>
        valid('good-1', 30_000 + i, { studyId: `s-${i}` }),
      );
      await expectHeldWhileDown(ingest, flaky, 'good-1', messages);
    });

    it('a failed device lookup during validation holds the message instead of refusing it for good', async () => {
      // A fresh ingest knows no device yet, so every message's validation asks the database.
      const flaky = failing((sql) => sql.includes('FROM devices'));
      const ingest = newIngest(flaky.driver, { retryMs: 10 });
      const messages = Array.from({ length: 5 }, (_, i) => valid('victim', 40_000 + i));
      await expectHeldWhileDown(ingest, flaky, 'victim', messages);
    });
  });

  describe('ingest property: every accepted message stored exactly once, every other refused with a reason', () => {
    it('holds for ≥ 5,000 arbitrary, boundary and hostile messages interleaved with valid traffic', async () => {
      const ingest = newIngest();
      const seed = Number(process.env['HEARTLINE_PROPERTY_SEED'] ?? Date.now() % 2 ** 31);
      const nextSeq = { 'good-1': 100_000, 'good-2': 100_000 };
      let messages = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(step, { minLength: 60, maxLength: 100 }), async (steps) => {
            const before = ingest.stats();
            const rowsBefore = await countAll();
            const good: { device: string; seq: number; message: EmbeddingMessage }[] = [];
            const handled: Promise<void>[] = [];
            for (const s of steps) {
              if (s.kind === 'good') {
                const seq = nextSeq[s.device]++;
                const message = valid(s.device, seq, { quality: (seq % 97) / 96 });
                good.push({ device: s.device, seq, message });
                handled.push(
                  ingest.handle(topic(s.device), encodeEmbeddingMessage(message, seq % 2 ? 'f16' : 'f32')),
                );
              } else {
                handled.push(ingest.handle(topic('hostile'), s.message.payload));
              }
            }
            messages += steps.length;
            // Each promise resolves only when its message is stored or refused for good.
            await Promise.all(handled);
            const after = ingest.stats();
            const rejected = sum(after.rejected) - sum(before.rejected);
            const stored = after.stored - before.stored;
            const duplicates = after.duplicates - before.duplicates;
            // Accounting: every message is stored, a redelivery of a stored one, or rejected — once.
            expect(stored + duplicates + rejected).toBe(steps.length);
            expect(await countAll()).toBe(rowsBefore + stored);
            // Validation and storage agree: the database never refused what validation accepted.
            expect(after.rejected['storage-refused'] ?? 0).toBe(before.rejected['storage-refused'] ?? 0);
            expect(after.rejected['internal'] ?? 0).toBe(0);
            expect(after.storageFailing).toBe(false);
            // The valid devices' messages are all stored, exactly as sent.
            for (const g of good) {
              const { rows } = await db.query<{ quality: number; h: Uint8Array }>(
                'SELECT quality, h FROM embeddings WHERE device_id = $1 AND seq = $2',
                [g.device, g.seq],
              );
              expect(rows).toHaveLength(1);
              expect(Math.fround(rows[0]!.quality)).toBe(Math.fround(g.message.quality));
            }
          }),
          { seed, numRuns: 70, endOnFailure: true },
        );
      } catch (error) {
        throw new Error(
          `ingest property failed with seed ${seed} (HEARTLINE_PROPERTY_SEED=${seed} reruns it)`,
          {
            cause: error,
          },
        );
      }
      expect(messages).toBeGreaterThanOrEqual(5000);
      await ingest.close();
    }, 240_000);
  });
});

async function countAll(): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM embeddings');
  return rows[0]!.n;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
